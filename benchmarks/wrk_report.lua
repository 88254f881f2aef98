-- wrk script for benchmarks/run.py: sets the request and prints one JSON summary line.
--
-- Environment:
--   BENCH_METHOD     GET (default) or POST
--   BENCH_TOKEN      sent as the `access-token` header when set (the gateway's token)
--   BENCH_BODY_FILE  a file whose bytes are the request body (JSON), when set
--   BENCH_HEADERS    more request headers, "Name: value" lines (real_odoo.py's direct calls)
--
-- No response() callback on purpose: it would make wrk hand every reply to Lua and
-- slow the load generator down. Non-2xx/3xx replies are counted by wrk itself
-- (summary.errors.status). Latencies are in microseconds.
--
-- Example:
--   BENCH_TOKEN=odr_... wrk -t1 -c64 -d10s --latency -s benchmarks/wrk_report.lua \
--       'http://127.0.0.1:8080/api/res.partner?limit=10'

local method = os.getenv("BENCH_METHOD") or "GET"
local token = os.getenv("BENCH_TOKEN")
local body_file = os.getenv("BENCH_BODY_FILE")
local extra = os.getenv("BENCH_HEADERS")

wrk.method = method
if token ~= nil and token ~= "" then
  wrk.headers["access-token"] = token
end
if extra ~= nil then
  for name, value in string.gmatch(extra, "([^:\n]+):%s*([^\n]*)") do
    wrk.headers[name] = value
  end
end
if body_file ~= nil and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "stdev": %.1f, "min": %d, "max": %d, ' ..
    '"p50": %d, "p90": %d, "p99": %d, "p999": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.min, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9)))
end
