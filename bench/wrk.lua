-- The one wrk script of bench/run. Usage:
--   wrk ... -s bench/wrk.lua URL -- REQUESTS_FILE
-- REQUESTS_FILE (written by bench/bench.py) holds one request per line, tab separated:
--   WEIGHT  METHOD  PATH  TOKEN-or-"-"  BODY-or-"-"  [IDEMPOTENCY-KEY]
-- Each wrk thread pre-formats every request once, builds a table where each request appears
-- WEIGHT times, shuffles it (seeded per thread), and cycles through it: no per-request Lua
-- work beyond an index increment. The optional sixth field is an `Idempotency-Key` header:
-- a fixed key, or "fresh" for a new key on every request (NONCE-THREAD-COUNTER, NONCE read
-- from /dev/urandom once per thread so that keys never repeat across runs). Only a table
-- with a fresh line takes the keyed request(), which joins the two pre-formatted halves
-- around the key. done() prints one machine-readable line:
--   WRK_RESULT {"requests":..,"duration_us":..,"rps":..,"p50_us":..,...}
-- with p99.9 taken from wrk's own histogram (wrk --latency stops at p99).

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local requests = {}
local index = 0
local KEY_MARK = "@IDEMPOTENCY-KEY@"
local nonce = ""
local sent = 0

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local path = args[1]
  if not path then
    error("bench/wrk.lua: missing REQUESTS_FILE argument (wrk ... -- FILE)")
  end
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    if line ~= "" and line:sub(1, 1) ~= "#" then
      local f = split(line)
      local weight = tonumber(f[1])
      local headers = {}
      if f[4] ~= "-" then headers["Authorization"] = "Token " .. f[4] end
      local body = nil
      if f[5] ~= "-" then
        body = f[5]
        headers["Content-Type"] = "application/json"
      end
      local key = f[6]
      if key and key ~= "-" and key ~= "" then
        headers["Idempotency-Key"] = key == "fresh" and KEY_MARK or key
      end
      local formatted = wrk.format(f[2], f[3], headers, body)
      if key == "fresh" then
        local at = formatted:find(KEY_MARK, 1, true)
        formatted = {formatted:sub(1, at - 1), formatted:sub(at + #KEY_MARK)}
        request = keyed_request
      end
      for _ = 1, weight do table.insert(requests, formatted) end
    end
  end
  file:close()
  if #requests == 0 then error("bench/wrk.lua: no requests in " .. path) end
  if request == keyed_request then
    local urandom = assert(io.open("/dev/urandom", "rb"))
    nonce = urandom:read(6):gsub(".", function(c) return string.format("%02x", c:byte()) end)
      .. "-" .. tostring(tid or 1) .. "-"
    urandom:close()
  end
  math.randomseed(1000 + (tid or 1))
  for i = #requests, 2, -1 do
    local j = math.random(i)
    requests[i], requests[j] = requests[j], requests[i]
  end
  index = math.random(#requests) - 1
end

function request()
  index = index + 1
  if index > #requests then index = 1 end
  return requests[index]
end

-- request() of a table with "fresh" lines (init() installs it): those are {head, tail}.
function keyed_request()
  index = index + 1
  if index > #requests then index = 1 end
  local r = requests[index]
  if type(r) == "string" then return r end
  sent = sent + 1
  return r[1] .. nonce .. sent .. r[2]
end

function done(summary, latency, requests_)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"rps":%.2f,"bytes":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, summary.requests / seconds, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status))
end
