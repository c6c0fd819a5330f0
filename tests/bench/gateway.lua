-- wrk script of make bench-gateway (gateway_bench runs wrk with it). The environment says what to send:
--   BENCH_ROUTE       read:  GET /v1/wallet/balances
--                     write: POST /v1/jobs with BENCH_BODY and a fresh Idempotency-Key per request
--   BENCH_TOKENS      comma-separated access tokens; wrk thread n sends the n-th (round robin)
--   BENCH_BODY        the JSON body of the write route
--   BENCH_KEY_PREFIX  what every Idempotency-Key of this wrk run starts with (unique per run)
-- done() prints "wrk_<name> <value>" lines (latencies in microseconds) for gateway_bench to read.

local route = os.getenv("BENCH_ROUTE") or ""
if route ~= "read" and route ~= "write" then
  error("BENCH_ROUTE must be read or write, not '" .. route .. "'")
end

local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS") or "", "[^,]+") do
  tokens[#tokens + 1] = token
end
if #tokens == 0 then
  error("BENCH_TOKENS is empty")
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
  thread:set("token", tokens[(threads - 1) % #tokens + 1])
end

local body = nil
local key_prefix = nil
local headers = nil
local sent = 0

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. token
  if route == "read" then
    -- A static request: wrk formats it once.
    wrk.method = "GET"
    wrk.path = "/v1/wallet/balances"
    return
  end
  body = os.getenv("BENCH_BODY") or ""
  if body == "" then
    error("BENCH_BODY is empty")
  end
  key_prefix = (os.getenv("BENCH_KEY_PREFIX") or "") .. "-" .. thread_number .. "-"
  headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
end

if route == "write" then
  function request()
    sent = sent + 1
    headers["Idempotency-Key"] = key_prefix .. sent
    return wrk.format("POST", "/v1/jobs", headers, body)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("wrk_requests %d\n", summary.requests))
  io.write(string.format("wrk_duration_us %d\n", summary.duration))
  -- wrk counts every answer with a status above 399 here.
  io.write(string.format("wrk_status_errors %d\n", e.status))
  io.write(string.format("wrk_socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("wrk_p50_us %d\n", latency:percentile(50)))
  io.write(string.format("wrk_p90_us %d\n", latency:percentile(90)))
  io.write(string.format("wrk_p99_us %d\n", latency:percentile(99)))
  io.write(string.format("wrk_max_us %d\n", latency.max))
end
