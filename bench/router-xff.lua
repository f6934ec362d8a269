-- wrk script of bench/router-redirects.sh: GET /live/room1/index.m3u8 with X-Forwarded-For
-- rotating over 64 viewer addresses in 8 demo GeoIP cities (infra/geoip/README.md) plus one address
-- in no record (default location). Requests are formatted once in init, so the per-request cost in
-- wrk is a table lookup. Arguments (after --): PATH (default /live/room1/index.m3u8) and DELAY_MS:
-- when given, each connection waits that long before its next request (a paced load: CONNECTIONS
-- x 1000 / (DELAY_MS + latency) requests per second) instead of sending as fast as answers come.
local prefixes = {
  "192.0.2.",      -- Frankfurt
  "198.51.100.",   -- Tokyo
  "203.0.113.",    -- Bangkok
  "198.18.0.",     -- New York
  "198.18.64.",    -- Sao Paulo
  "198.18.128.",   -- Sydney
  "198.19.0.",     -- Singapore
  "198.19.192.",   -- Los Angeles
}
local requests = {}
local n = 0

function init(args)
  local path = args[1] or "/live/room1/index.m3u8"
  for host = 1, 8 do
    for _, prefix in ipairs(prefixes) do
      n = n + 1
      requests[n] = wrk.format("GET", path, { ["X-Forwarded-For"] = prefix .. (host * 29) })
    end
  end
  n = n + 1
  requests[n] = wrk.format("GET", path, { ["X-Forwarded-For"] = "100.64.0.1" })
  i = 0
  pause = tonumber(args[2] or "0")
end

function delay()
  return pause
end

function request()
  i = i % n + 1
  return requests[i]
end
