-- wrk script: optional method/body/cookie/headers from the environment; prints percentiles
-- as one JSON line starting with RESULT (read by benchmarks/throughput.py).
--   WRK_METHOD (GET), WRK_BODY, WRK_COOKIE ("session=..."), WRK_CTYPE (Content-Type),
--   WRK_HEADERS ("Name: value|Name: value"), WRK_UA (User-Agent, default "cloe-bench").
-- Other scripts reuse done() with dofile() and define their own request()/response().
local method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
local cookie = os.getenv("WRK_COOKIE")
local ctype = os.getenv("WRK_CTYPE")
local extra = os.getenv("WRK_HEADERS")
local ua = os.getenv("WRK_UA") or "cloe-bench"

local static_headers = { ["User-Agent"] = ua }
if cookie then static_headers["Cookie"] = cookie end
if ctype then static_headers["Content-Type"] = ctype end
if extra then
  for pair in string.gmatch(extra, "[^|]+") do
    local name, value = pair:match("^%s*([^:]+):%s*(.-)%s*$")
    if name then static_headers[name] = value end
  end
end

-- Built once: a constant request is the cheapest thing wrk can send.
local static_request = nil
request = function()
  if static_request == nil then
    static_request = wrk.format(method, nil, static_headers, body)
  end
  return static_request
end

-- Scripts that count things per thread put the thread objects here (see wrk_answer.lua)
-- and the names of the counters in report_counters.
report_threads = report_threads or {}
report_counters = report_counters or {}

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local counters = {}
  for _, name in ipairs(report_counters) do
    local total = 0
    for _, thread in ipairs(report_threads) do total = total + (thread:get(name) or 0) end
    table.insert(counters, string.format('"%s": %d', name, total))
  end
  local extra_json = ""
  if #counters > 0 then extra_json = ", " .. table.concat(counters, ", ") end
  io.write(string.format(
    'RESULT {"requests": %d, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "errors": %d, "non2xx": %d%s}\n',
    summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, extra_json))
end
