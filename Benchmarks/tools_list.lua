-- wrk script: POST tools/list on one Streamable HTTP session, optionally checking every answer.
--
-- Environment (set by bench.py):
--   MCP_SESSION_ID   the Mcp-Session-Id of an initialized session (required)
--   BENCH_HOST       the Host header to send (default: wrk's own, "127.0.0.1:<port>" from the URL)
--   BENCH_CHECK      "0": do not define response(); anything else (default): check every response
--
-- With the check on, response() counts answers that are not status 200 with "tools" in the body, and
-- done() prints a line bench.py parses:
--   BENCH_CHECK ok=<n> bad=<n> status=<code>:<count>,... first_bad=<status> <first 160 bytes of its body>
-- Defining response() makes wrk copy every response's headers and body into Lua: about 2 us of wrk CPU per
-- request (+20%). The server runs on one thread, so this costs throughput only when the second core is
-- busy with something else; bench.py checks every run unless given --wrk-light (BENCH_CHECK=0: wrk then
-- still counts statuses >= 400 and socket errors). done() always prints:
--   BENCH_LATENCY_US p50=<us> p90=<us> p99=<us> max=<us>

local session = os.getenv("MCP_SESSION_ID")
if session == nil or session == "" then
   error("tools_list.lua: MCP_SESSION_ID is not set")
end
local check = os.getenv("BENCH_CHECK") ~= "0"
local expect = '"tools"'

wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Mcp-Session-Id"] = session
local host = os.getenv("BENCH_HOST")
if host ~= nil and host ~= "" then
   wrk.headers["Host"] = host
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   ok = 0
   bad = 0
   statuses = {}
   first_bad = ""
end

if check then
   function response(status, headers, body)
      if status == 200 and body ~= nil and string.find(body, expect, 1, true) then
         ok = ok + 1
      else
         bad = bad + 1
         statuses[status] = (statuses[status] or 0) + 1
         if first_bad == "" then
            local snippet = string.gsub(string.sub(body or "", 1, 160), "[\r\n]", " ")
            first_bad = tostring(status) .. " " .. snippet
         end
      end
   end
end

function done(summary, latency, requests)
   if check then
      local total_ok, total_bad, merged, first = 0, 0, {}, ""
      for _, t in ipairs(threads) do
         total_ok = total_ok + (t:get("ok") or 0)
         total_bad = total_bad + (t:get("bad") or 0)
         for code, n in pairs(t:get("statuses") or {}) do merged[code] = (merged[code] or 0) + n end
         local fb = t:get("first_bad") or ""
         if first == "" and fb ~= "" then first = fb end
      end
      local parts = {}
      for code, n in pairs(merged) do table.insert(parts, tostring(code) .. ":" .. tostring(n)) end
      io.write(string.format("BENCH_CHECK ok=%d bad=%d status=%s first_bad=%s\n",
                             total_ok, total_bad, table.concat(parts, ","), first))
   end
   io.write(string.format("BENCH_LATENCY_US p50=%d p90=%d p99=%d max=%d\n",
                          latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
