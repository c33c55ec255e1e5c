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
  "learned",
  "lastRefusalAt",
  "failedReturns",
] as const;

export type AdaptiveField = (typeof ADAPTIVE_FIELDS)[number];

/** A claim set untouched this long is gone (every live claim lapses within seconds anyway). */
const CLAIM_KEYS_TTL_MS = 60_000;
/** The shortest wait told to a caller that leaves a call to a claimant due back already. */
const MIN_YIELD_MS = 5;

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
 * GCRA over several buckets at once, in deadline order across processes. Grants only if every
 * bucket has room, so a refused second bucket never spends the first one's permit.
 *
 * When calls are scarce each process's waiting head holds a claim on every bucket it asks for:
 * its priority (lower goes first) in a sorted set, and in a hash when it said it would ask again
 * and when the claim lapses (that wait + `minTtl` on this clock, so a dead or departed
 * claimant stops counting within moments). A caller that finds room while a live claim of strictly
 * lower priority exists leaves the call to that claimant and is told to wait until the claimant is
 * due back; the lowest takes it and drops its claim (its next attempt claims anew). Equal priorities
 * do not yield to one another (no order between processes is invented), so the lowest claimant is
 * never told to wait for anyone: no deadlock. Without waiting claimants a grant costs one lookup
 * per bucket on top of the GCRA.
 *
 * KEYS: the n bucket hashes, the registry set, the n claim sets, the n claim clocks.
 * ARGV: now|'', initial rate, burst seconds, claimant ('' claims nothing), priority, minimum claim
 * lifetime ms, longest nap ms (a claimant asks again at least this often), then the n bucket names.
 * Returns {1, '0', now} when granted, {0, waitMs, now} otherwise.
 */
export const ACQUIRE_SCRIPT = `${NOW}
local initial = tonumber(ARGV[2])
local burstMs = tonumber(ARGV[3]) * 1000
local claimant = ARGV[4]
local priority = ARGV[5]
local minTtl = tonumber(ARGV[6])
local maxNap = tonumber(ARGV[7])
local n = (#KEYS - 1) / 3
local function claims(i) return KEYS[n + 1 + i] end
local function clocks(i) return KEYS[2 * n + 1 + i] end
-- {due back, lapses at} of a claim, or nil when there is none or it has lapsed (then removed).
local function liveClaim(i, member)
  local clock = redis.call('HGET', clocks(i), member)
  if clock then
    local back, lapses = string.match(clock, '^(%S+) (%S+)$')
    if tonumber(lapses) > now then return tonumber(back) end
  end
  redis.call('ZREM', claims(i), member)
  redis.call('HDEL', clocks(i), member)
  return nil
end
local function claim(wait)
  if claimant == '' then return end
  local nap = math.min(wait, maxNap)
  local clock = ms(now + nap) .. ' ' .. ms(now + nap + minTtl)
  for i = 1, n do
    redis.call('ZADD', claims(i), priority, claimant)
    redis.call('HSET', clocks(i), claimant, clock)
    -- Lookups sweep lapsed claims from below; this sweeps them from the top.
    local top = redis.call('ZRANGE', claims(i), -1, -1)
    if top[1] and top[1] ~= claimant then liveClaim(i, top[1]) end
    redis.call('PEXPIRE', claims(i), ${CLAIM_KEYS_TTL_MS})
    redis.call('PEXPIRE', clocks(i), ${CLAIM_KEYS_TTL_MS})
  end
end
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
  claim(wait)
  return {0, ms(wait), ms(now)}
end
-- Room: is it somebody else's turn? The earliest time a lower live claimant is due back.
local due
for i = 1, n do
  while true do
    local lower = redis.call('ZRANGEBYSCORE', claims(i), '-inf', '(' .. priority, 'LIMIT', 0, 1)
    if #lower == 0 then break end
    local back = liveClaim(i, lower[1])
    if back then
      if due == nil or back < due then due = back end
      break
    end
  end
end
if due then
  local yield = math.max(${MIN_YIELD_MS}, due - now)
  claim(yield)
  return {0, ms(yield), ms(now)}
end
for i = 1, n do
  redis.call('HSET', KEYS[i], 'tat', ms(tats[i]))
  if fresh[i] then redis.call('HSET', KEYS[i], 'rate', ARGV[2]) end
  if tonumber(redis.call('HGET', KEYS[i], 'overloadSince') or '0') > 0 then
    redis.call('HINCRBY', KEYS[i], 'sentSince', 1)
  end
  redis.call('SADD', KEYS[n + 1], ARGV[7 + i])
  if claimant ~= '' and redis.call('ZREM', claims(i), claimant) == 1 then
    redis.call('HDEL', clocks(i), claimant)
  end
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
 * A higher rate also brings the next free slot (GCRA's `tat`) forward to the new interval after the
 * last grant, so a rate raised from very low is not held back by the old, long interval.
 * KEYS[1]: the bucket hash. ARGV: expected version, then field/value pairs. Returns 1 or 0.
 */
export const UPDATE_SCRIPT = `
local version = redis.call('HGET', KEYS[1], 'version') or '0'
if version ~= ARGV[1] then return 0 end
local fields = {}
for i = 2, #ARGV, 2 do
  if ARGV[i] == 'rate' then
    local v = redis.call('HMGET', KEYS[1], 'rate', 'tat')
    local old, new, tat = tonumber(v[1]), tonumber(ARGV[i + 1]), tonumber(v[2])
    if old and tat and new > old then
      fields[#fields + 1] = 'tat'
      fields[#fields + 1] = string.format('%.3f', tat - 1000 / old + 1000 / new)
    end
  end
end
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
fields[#fields + 1] = 'version'
fields[#fields + 1] = tostring(tonumber(version) + 1)
redis.call('HSET', KEYS[1], unpack(fields))
return 1
`;
