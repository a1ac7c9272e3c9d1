-- Ends the cool-downs that are over, atomically, so exactly one replica reports each end.
--
-- KEYS[1] sorted set of throttled addresses by end of cool-down
-- ARGV[1] prefix of the address hashes (the member completes the key)  ARGV[2] most to end at once
--
-- Returns {member, refused while throttled, member, refused, ...}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now), 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, member in ipairs(due) do
  local key = ARGV[1] .. member
  out[#out + 1] = member
  out[#out + 1] = tonumber(redis.call('HGET', key, 'refused')) or 0
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[1], member)
end
return out
