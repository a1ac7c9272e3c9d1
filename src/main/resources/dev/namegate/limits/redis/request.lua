-- One request of one client, atomically: a token from its bucket, then (when allowed and an id
-- is given) the id counted in its rolling window of distinct ids. Time is the server's, so every
-- replica agrees on it. Times are microseconds.
--
-- KEYS[1] bucket hash (tokens, ts, cap, period)
-- KEYS[2] ids sorted set (member: keyed id, score: first seen)
-- KEYS[3] quota flags hash (warned, exhausted): audit events are written once, by the replica
--         whose call set the flag
-- ARGV[1] capacity  ARGV[2] micros to refill an empty bucket  ARGV[3] keyed id, or empty
-- ARGV[4] window micros  ARGV[5] quota  ARGV[6] count at which to warn
--
-- Returns {allowed, remaining, reset s, retry-after s, verdict (0 not counted, 1 allowed,
-- 2 over quota), ids counted, quota retry-after s, event (0 none, 1 warn, 2 exhausted)}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])

local cap = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'cap', 'period')
local tokens = cap
-- a bucket built for other limits (a keys-file reload) starts again full
if b[1] and b[3] == ARGV[1] and b[4] == ARGV[2] then
  tokens = math.min(cap, tonumber(b[1]) + math.max(0, now - tonumber(b[2])) * cap / period)
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
local perToken = period / cap
local resetMicros = (cap - tokens) * perToken
local retryMicros = 0
if tokens < 1 then
  retryMicros = (1 - tokens) * perToken
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.0f', now),
  'cap', ARGV[1], 'period', ARGV[2])
-- a full bucket needs no key
redis.call('PEXPIRE', KEYS[1], math.ceil(resetMicros / 1000) + 1000)

local verdict, used, quotaRetry, event = 0, 0, 0, 0
if allowed == 1 and ARGV[3] ~= '' then
  local window = tonumber(ARGV[4])
  local quota = tonumber(ARGV[5])
  local warnAt = tonumber(ARGV[6])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%.0f', now - window))
  used = redis.call('ZCARD', KEYS[2])
  if used < warnAt then
    redis.call('HDEL', KEYS[3], 'warned')
  end
  if redis.call('ZSCORE', KEYS[2], ARGV[3]) then
    verdict = 1
  elseif used >= quota then
    verdict = 2
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    quotaRetry = math.max(1, math.ceil((tonumber(oldest[2]) + window - now) / 1000000))
    if redis.call('HSETNX', KEYS[3], 'exhausted', '1') == 1 then
      event = 2
    end
  else
    redis.call('ZADD', KEYS[2], string.format('%.0f', now), ARGV[3])
    redis.call('PEXPIRE', KEYS[2], math.ceil(window / 1000))
    used = used + 1
    verdict = 1
    redis.call('HDEL', KEYS[3], 'exhausted')
    if used >= warnAt and redis.call('HSETNX', KEYS[3], 'warned', '1') == 1 then
      event = 1
    end
  end
  redis.call('PEXPIRE', KEYS[3], math.ceil(window / 1000))
end

return {allowed, math.floor(tokens), math.ceil(resetMicros / 1000000), math.max(1, math.ceil(retryMicros / 1000000)),
  verdict, used, quotaRetry, event}
