export { runScript } from "@riskq/redis";

/**
 * The limiter's Redis scripts. Each one reads the clock with `TIME` (or takes `now` as its first
 * argument, for tests), so every process judges time on one clock; and each touches only keys under
 * one hash-tagged prefix, so all of them live in one cluster slot.
 */

/** The fields of one bucket's hash that the adaptive rule owns (written only by compare-and-set). */
export const ADAPTIVE_FIELDS = [
  "rate",
  "ceiling",
  "lastCutAt",
  "lastThrottleAt",
  "lastStepAt",
  "overloadSince",
  "sentSince",
  "acceptedSince",
  "refusedSince",
  "answeredUntil",
  "busyAt",
  "probeAt",
  "failedProbes",
  "cleanProbes",
  "probeFrom",
  "peak",
] as const;

export type AdaptiveField = (typeof ADAPTIVE_FIELDS)[number];

const NOW = `
local now
if ARGV[1] ~= '' then
  now = tonumber(ARGV[1])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local function ms(x) return string.format('%.3f', x) end
`;

/**
 * GCRA over several buckets at once: grants only if every bucket has room, so a refused second
 * bucket never spends the first one's permit. KEYS: the bucket hashes, then the registry set.
 * ARGV: now|'', initial rate, burst seconds, then the bucket names (for the registry).
 * Returns {1, '0', now} when granted, {0, waitMs, now} otherwise.
 */
export const ACQUIRE_SCRIPT = `${NOW}
local initial = tonumber(ARGV[2])
local burstMs = tonumber(ARGV[3]) * 1000
local n = #KEYS - 1
local wait = 0
local waits = {}
local tats = {}
local fresh = {}
for i = 1, n do
  local v = redis.call('HMGET', KEYS[i], 'rate', 'tat')
  local rate = tonumber(v[1]) or initial
  local interval = 1000 / rate
  -- Tolerance for a burst of burstMs worth of calls (at least one call).
  local tau = math.max(0, burstMs - interval)
  local tat = math.max(tonumber(v[2]) or now, now)
  local w = tat - tau - now
  if w > 0 then
    waits[i] = w
    if w > wait then wait = w end
  end
  tats[i] = tat + interval
  fresh[i] = v[1] == false
end
if wait > 0 then
  -- Only the bucket that binds is demand-limited; the others would have let the call through.
  for i = 1, n do
    if waits[i] and waits[i] >= wait then redis.call('HSET', KEYS[i], 'busyAt', ms(now)) end
  end
  return {0, ms(wait), ms(now)}
end
for i = 1, n do
  redis.call('HSET', KEYS[i], 'tat', ms(tats[i]))
  if fresh[i] then redis.call('HSET', KEYS[i], 'rate', ARGV[2]) end
  if tonumber(redis.call('HGET', KEYS[i], 'overloadSince') or '0') > 0 then
    redis.call('HINCRBY', KEYS[i], 'sentSince', 1)
  end
  redis.call('SADD', KEYS[n + 1], ARGV[3 + i])
end
return {1, '0', ms(now)}
`;

/**
 * Records how a call answered (for the overload measurement) and reads the bucket's adaptive state.
 * KEYS[1]: the bucket hash. ARGV: now|'', outcome ('accepted' | 'refused' | ''), grantedAt.
 * Returns {now, version, ...ADAPTIVE_FIELDS}.
 */
export const OBSERVE_SCRIPT = `${NOW}
local outcome = ARGV[2]
if outcome ~= '' then
  local since = tonumber(redis.call('HGET', KEYS[1], 'overloadSince') or '0')
  if since > 0 and tonumber(ARGV[3]) >= since then
    redis.call('HINCRBY', KEYS[1], outcome .. 'Since', 1)
    local latest = tonumber(redis.call('HGET', KEYS[1], 'answeredUntil') or '0')
    if tonumber(ARGV[3]) > latest then redis.call('HSET', KEYS[1], 'answeredUntil', ARGV[3]) end
  end
end
local out = {ms(now), redis.call('HGET', KEYS[1], 'version') or '0'}
local v = redis.call('HMGET', KEYS[1], ${ADAPTIVE_FIELDS.map((f) => `'${f}'`).join(", ")})
for i = 1, ${ADAPTIVE_FIELDS.length} do out[i + 2] = v[i] or '' end
return out
`;

/**
 * Compare-and-set of adaptive fields: applies only if nobody changed them since they were read.
 * KEYS[1]: the bucket hash. ARGV: expected version, then field/value pairs. Returns 1 or 0.
 */
export const UPDATE_SCRIPT = `
local version = redis.call('HGET', KEYS[1], 'version') or '0'
if version ~= ARGV[1] then return 0 end
local fields = {}
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
fields[#fields + 1] = 'version'
fields[#fields + 1] = tostring(tonumber(version) + 1)
redis.call('HSET', KEYS[1], unpack(fields))
return 1
`;
