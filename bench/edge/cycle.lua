-- wrk script: every thread cycles through the paths listed (one a line) in the file given after
-- `--`, starting at a different offset per connection batch so all objects stay in play.
-- Usage: wrk -t2 -c100 -d20s -s bench/edge/cycle.lua http://127.0.0.1:PORT -- PATHS_FILE
local paths = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
