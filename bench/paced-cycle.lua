-- wrk script: bench/edge/cycle.lua (cycle over the paths in a file) with each connection waiting
-- DELAY_MS before each request (wrk's delay()), to hold a request rate instead of saturating.
-- Usage: wrk -t1 -c50 -d20s -s bench/paced-cycle.lua http://127.0.0.1:PORT -- PATHS_FILE DELAY_MS
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "edge/cycle.lua")
local cycle_init = init
local pause = 0

function init(args)
  cycle_init(args)
  pause = tonumber(args[2])
end

function delay()
  return pause
end
