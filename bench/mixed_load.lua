-- wrk script for bench/mixed_load.py: GET the paths of a file, one a line, in turn,
-- and count server errors (5xx) apart from other non-2xx answers.
-- Usage: wrk ... -s bench/mixed_load.lua URL -- PATHS_FILE
-- Each wrk thread starts at its own place in the list, so threads do not move in step.

local threads = {}
local paths = {}
local position = 1
errors_5xx = 0

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("start", #threads)
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  position = ((tonumber(start) or 1) * 997) % #paths + 1
end

function request()
  local path = paths[position]
  position = position % #paths + 1
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status >= 500 then
    errors_5xx = errors_5xx + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (tonumber(thread:get("errors_5xx")) or 0)
  end
  io.write(string.format("5xx responses: %d\n", total))
end
