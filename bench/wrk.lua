-- wrk script for every bench/run.sh scenario: `wrk ... -s bench/wrk.lua URL -- DEPTH [KIND]`.
--   DEPTH  GET requests per write (wrk counts each response; latency is measured per batch).
--          With DEPTH 1 (the default) no request() is defined, so wrk sends its static request
--          at full speed.
--   KIND   get (default): wrk's own GET;
--          post4k: POST with a 4096-byte body (scenario d);
--          browser: a GET with the 25 request headers a desktop Chrome sends for a page
--          navigation, cookies included (scenario e).
-- done() prints a machine-readable summary: one line starting with BENCH_JSON.

-- Chrome 131's navigation request; with wrk's own Host that makes 25 fields.
local BROWSER = {
  {'Connection', 'keep-alive'},
  {'Cache-Control', 'max-age=0'},
  {'sec-ch-ua', '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"'},
  {'sec-ch-ua-mobile', '?0'},
  {'sec-ch-ua-platform', '"Windows"'},
  {'sec-ch-ua-platform-version', '"15.0.0"'},
  {'sec-ch-ua-arch', '"x86"'},
  {'sec-ch-ua-bitness', '"64"'},
  {'sec-ch-ua-model', '""'},
  {'sec-ch-ua-full-version-list', '"Google Chrome";v="131.0.6778.86", "Chromium";v="131.0.6778.86", "Not_A Brand";v="24.0.0.0"'},
  {'Upgrade-Insecure-Requests', '1'},
  {'User-Agent', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'},
  {'Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7'},
  {'Sec-Fetch-Site', 'same-origin'},
  {'Sec-Fetch-Mode', 'navigate'},
  {'Sec-Fetch-User', '?1'},
  {'Sec-Fetch-Dest', 'document'},
  {'Referer', 'http://127.0.0.1/products/list?page=2&sort=price'},
  {'Accept-Encoding', 'gzip, deflate, br, zstd'},
  {'Accept-Language', 'en-US,en;q=0.9,de;q=0.8'},
  {'Cookie', '_ga=GA1.1.1234567890.1733000000; _ga_ABCDEF1234=GS1.1.1733000000.1.1.1733000100.0.0.0; session=eyJ1c2VyIjoiYWxpY2UiLCJpZCI6NDJ9.Z0x1aA.4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99; theme=dark; consent=1'},
  {'Priority', 'u=0, i'},
  {'DNT', '1'},
  {'If-None-Match', 'W/"b-Ck1VqNd45QIvq3AZd8XYQLvEhtA"'},
}

init = function(args)
  local depth = tonumber(args[1] or '1') or 1
  local kind = args[2] or 'get'
  if kind == 'post4k' then
    wrk.method = 'POST'
    wrk.body = string.rep('x', 4096)
    wrk.headers['Content-Type'] = 'application/octet-stream'
  elseif kind == 'browser' then
    for _, h in ipairs(BROWSER) do
      wrk.headers[h[1]] = h[2]
    end
  elseif kind ~= 'get' then
    error('bench/wrk.lua: unknown request kind ' .. kind)
  end
  if depth > 1 then
    local r = {}
    for i = 1, depth do
      r[i] = wrk.format()
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
