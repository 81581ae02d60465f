-- wrk script: POST one MCP tools/call on a Streamable HTTP session, optionally checking every answer.
--
-- Environment (set by bench.py):
--   MCP_SESSION_ID   the Mcp-Session-Id of an initialized session (required)
--   BENCH_BODY       the JSON-RPC request body, e.g.
--                    {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pods_get","arguments":{...}}}
--                    (required)
--   BENCH_BODY_ALT   optional second body: each wrk thread then alternates BENCH_BODY and BENCH_BODY_ALT
--                    (the stall test sends pods_list_in_namespace and pods_list this way)
--   BENCH_EXPECT     a string every good answer contains (default: "isError":false)
--   BENCH_HOST       the Host header to send (default: wrk's own, "127.0.0.1:<port>" from the URL)
--   BENCH_CHECK      "0": do not define response(); anything else (default): check every response
--
-- The check counts answers that are not status 200 with BENCH_EXPECT in the body; done() prints the same
-- BENCH_CHECK and BENCH_LATENCY_US lines as health.lua, plus the bytes of the answers checked:
--   BENCH_CHECK ok=<n> bad=<n> status=<code>:<count>,... first_bad=<status> <first 600 bytes of its body>
--   BENCH_BYTES total=<bytes of all checked bodies> min=<smallest> max=<largest>
--   BENCH_LATENCY_US p50=<us> p90=<us> p99=<us> max=<us>
-- A failed tool call ("isError":true) keeps its error text in first_bad: bench.py reports it verbatim.
-- Defining response() copies every body into Lua: fine for the few large answers of the Kubernetes tools.

local session = os.getenv("MCP_SESSION_ID")
if session == nil or session == "" then
   error("tools_call.lua: MCP_SESSION_ID is not set")
end
local body = os.getenv("BENCH_BODY")
if body == nil or body == "" then
   error("tools_call.lua: BENCH_BODY is not set")
end
local check = os.getenv("BENCH_CHECK") ~= "0"
local expect = os.getenv("BENCH_EXPECT")
if expect == nil or expect == "" then
   expect = '"isError":false'
end

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Mcp-Session-Id"] = session
local host = os.getenv("BENCH_HOST")
if host ~= nil and host ~= "" then
   wrk.headers["Host"] = host
end

local alt = os.getenv("BENCH_BODY_ALT")
if alt ~= nil and alt ~= "" then
   local requests = nil
   local turn = 0
   function request()
      if requests == nil then
         requests = { wrk.format(nil, nil, nil, body), wrk.format(nil, nil, nil, alt) }
      end
      turn = turn + 1
      return requests[(turn % 2) + 1]
   end
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
   bytes = 0
   min_bytes = -1
   max_bytes = 0
end

if check then
   function response(status, headers, body)
      local n = body and #body or 0
      bytes = bytes + n
      if min_bytes < 0 or n < min_bytes then min_bytes = n end
      if n > max_bytes then max_bytes = n end
      if status == 200 and body ~= nil and string.find(body, expect, 1, true) then
         ok = ok + 1
      else
         bad = bad + 1
         statuses[status] = (statuses[status] or 0) + 1
         if first_bad == "" then
            local snippet = string.gsub(string.sub(body or "", 1, 600), "[\r\n]", " ")
            first_bad = tostring(status) .. " " .. snippet
         end
      end
   end
end

function done(summary, latency, requests)
   if check then
      local total_ok, total_bad, merged, first = 0, 0, {}, ""
      local total_bytes, lo, hi = 0, -1, 0
      for _, t in ipairs(threads) do
         total_ok = total_ok + (t:get("ok") or 0)
         total_bad = total_bad + (t:get("bad") or 0)
         total_bytes = total_bytes + (t:get("bytes") or 0)
         local tlo = t:get("min_bytes") or -1
         if tlo >= 0 and (lo < 0 or tlo < lo) then lo = tlo end
         local thi = t:get("max_bytes") or 0
         if thi > hi then hi = thi end
         for code, n in pairs(t:get("statuses") or {}) do merged[code] = (merged[code] or 0) + n end
         local fb = t:get("first_bad") or ""
         if first == "" and fb ~= "" then first = fb end
      end
      local parts = {}
      for code, n in pairs(merged) do table.insert(parts, tostring(code) .. ":" .. tostring(n)) end
      io.write(string.format("BENCH_CHECK ok=%d bad=%d status=%s first_bad=%s\n",
                             total_ok, total_bad, table.concat(parts, ","), first))
      io.write(string.format("BENCH_BYTES total=%d min=%d max=%d\n", total_bytes, math.max(lo, 0), hi))
   end
   io.write(string.format("BENCH_LATENCY_US p50=%d p90=%d p99=%d max=%d\n",
                          latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
