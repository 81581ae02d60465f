-- wrk script: GET /health, the ceiling reference for tools/list (tools_call.lua), with the same optional check
-- (status 200 and "ok" in the body) and the same BENCH_CHECK / BENCH_LATENCY_US lines; see tools_call.lua.
--
-- Environment: BENCH_HOST (optional Host header), BENCH_CHECK ("0" turns the per-response check off).

local check = os.getenv("BENCH_CHECK") ~= "0"
local expect = '"ok"'

wrk.method = "GET"
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
