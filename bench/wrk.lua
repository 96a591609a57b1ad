-- wrk script for both scenarios: `wrk ... -s bench/wrk.lua URL -- DEPTH` sends DEPTH GET
-- requests per write (wrk counts each response; latency is measured per batch). With DEPTH 1
-- (the default) no request() is defined, so wrk sends its own static request at full speed.
-- done() prints a machine-readable summary: one line starting with BENCH_JSON.
init = function(args)
  local depth = tonumber(args[1] or '1') or 1
  if depth > 1 then
    local r = {}
    for i = 1, depth do
      r[i] = wrk.format('GET', '/')
    end
    local batch = table.concat(r)
    request = function()
      return batch
    end
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
