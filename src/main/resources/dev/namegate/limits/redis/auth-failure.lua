-- One failed authentication from one address (IPv6: its /64), atomically: refused while its
-- cool-down runs, else counted, and enough failures in the window start a cool-down. The replica
-- whose call starts (or ends) a cool-down writes the audit event. Times are microseconds.
--
-- KEYS[1] address hash (start, failures, until, refused)
-- KEYS[2] sorted set of throttled addresses by end of cool-down (for the sweep: ends.lua)
-- ARGV[1] the address's member in KEYS[2]  ARGV[2] max failures  ARGV[3] window  ARGV[4] cool-down
--
-- Returns {micros still throttled (0: counted), started, failures, ended, refused while throttled}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[3])
local coolDown = tonumber(ARGV[4])

local a = redis.call('HMGET', KEYS[1], 'until', 'refused', 'start', 'failures')
local ended, endedRefused = 0, 0
if a[1] then
  local untilT = tonumber(a[1])
  if now < untilT then
    redis.call('HINCRBY', KEYS[1], 'refused', 1)
    return {math.ceil(untilT - now), 0, 0, 0, 0}
  end
  -- the cool-down is over and no sweep has ended it yet: end it here, once
  ended = 1
  endedRefused = tonumber(a[2]) or 0
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  a = {false, false, false, false}
end

local start = tonumber(a[3])
local failures = tonumber(a[4]) or 0
if not start or now - start >= window then
  start = now
  failures = 0
end
failures = failures + 1
local started = 0
if failures >= tonumber(ARGV[2]) then
  local untilT = now + coolDown
  redis.call('HSET', KEYS[1], 'until', string.format('%.0f', untilT), 'refused', '0', 'failures', failures,
    'start', string.format('%.0f', start))
  redis.call('ZADD', KEYS[2], string.format('%.0f', untilT), ARGV[1])
  -- outlives the cool-down by a minute, so the sweep still finds what it refused
  redis.call('PEXPIRE', KEYS[1], math.ceil(coolDown / 1000) + 60000)
  started = 1
else
  redis.call('HSET', KEYS[1], 'start', string.format('%.0f', start), 'failures', failures)
  redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((start + window - now) / 1000)))
end
return {0, started, failures, ended, endedRefused}
