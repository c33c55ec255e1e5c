import { runScript } from "@riskq/redis";
import type { Redis } from "ioredis";

/**
 * The guard's Redis scripts. Each takes every budget hash a call touches as KEYS (all under the
 * worker's hash-tagged prefix: one cluster slot) and the caller's clock as an argument, so a test
 * can move time and every budget of one check is read and written in one atomic step.
 *
 * A budget hash (one budget, one period) holds:
 * - `spent`: micro-dollars billed (settled calls, plus the estimates of calls whose outcome is unknown);
 * - `reserved`: micro-dollars held by calls in flight (worst-case estimates);
 * - `r:<id>`: one reservation, "<amount>|<expires at ms>", or "<amount>|swept" once its holder
 *   vanished (crashed mid-call) and its estimate was moved to `spent` — the strict assumption;
 * - `limit`, `sweep_at`, and `alerted:<80|90|100>` (set once per period: the alert de-duplication).
 */

/** Shared functions: the stale-reservation sweep and the threshold check. */
const PRELUDE = `
local function num(v) return tonumber(v or '0') or 0 end

-- Reservations past their expiry belong to a worker that died mid-call: the call may have been
-- billed, so the estimate counts as spent. Looked at most once a second per budget.
local function sweep(key, now)
  if now < num(redis.call('HGET', key, 'sweep_at')) then return end
  local fields = redis.call('HGETALL', key)
  for i = 1, #fields, 2 do
    local f = fields[i]
    if string.sub(f, 1, 2) == 'r:' then
      local v = fields[i + 1]
      local sep = string.find(v, '|', 1, true)
      local amount = tonumber(string.sub(v, 1, sep - 1))
      local expires = string.sub(v, sep + 1)
      if expires ~= 'swept' and tonumber(expires) <= now then
        redis.call('HINCRBY', key, 'reserved', -amount)
        redis.call('HINCRBY', key, 'spent', amount)
        redis.call('HSET', key, f, amount .. '|swept')
      end
    end
  end
  redis.call('HSET', key, 'sweep_at', now + 1000)
end

-- Thresholds crossed for the first time this period: bit 1 = 80 %, 2 = 90 %, 4 = exhausted (what
-- is left cannot pay for a one-item call at worst case: the 100 % alert).
local function crossed(key, spent, limit, one_item)
  local mask = 0
  if spent * 10 >= limit * 8 and redis.call('HSETNX', key, 'alerted:80', '1') == 1 then mask = mask + 1 end
  if spent * 10 >= limit * 9 and redis.call('HSETNX', key, 'alerted:90', '1') == 1 then mask = mask + 2 end
  if spent + one_item > limit and redis.call('HSETNX', key, 'alerted:100', '1') == 1 then mask = mask + 4 end
  return mask
end
`;

/**
 * Reserves the worst case of up to ARGV[3] items on every budget, or refuses.
 * ARGV: now, reservation id, items asked, call fee, worst per item, reservation ttl ms, then per key
 * its limit and its time to live (s). All money in micro-dollars.
 * Returns {status, items, amount, then per key: spent, reserved, crossed mask}; status 1 = reserved
 * for `items` (fewer than asked when only that many fit what is left), 0 = exhausted (not even one
 * item fits), -1 = held (it would fit, but reservations of calls in flight hold the money).
 */
export const RESERVE_SCRIPT = `${PRELUDE}
local now = tonumber(ARGV[1])
local id = ARGV[2]
local asked = tonumber(ARGV[3])
local call = tonumber(ARGV[4])
local per_item = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local spent, reserved, limits = {}, {}, {}
local fit = asked
for i = 1, #KEYS do
  local key = KEYS[i]
  limits[i] = tonumber(ARGV[5 + 2 * i])
  redis.call('HSET', key, 'limit', limits[i])
  redis.call('EXPIRE', key, ARGV[6 + 2 * i])
  sweep(key, now)
  spent[i] = num(redis.call('HGET', key, 'spent'))
  reserved[i] = num(redis.call('HGET', key, 'reserved'))
  -- Items whose worst case still fits what this budget has not spent.
  local room = limits[i] - spent[i] - call
  local k = 0
  if room >= per_item then k = math.floor(room / per_item) end
  if k < fit then fit = k end
end
local amount = call + fit * per_item
local status = 1
if fit == 0 then
  status = 0
else
  for i = 1, #KEYS do
    if spent[i] + reserved[i] + amount > limits[i] then status = -1 end
  end
end
if status == 1 then
  for i = 1, #KEYS do
    redis.call('HINCRBY', KEYS[i], 'reserved', amount)
    redis.call('HSET', KEYS[i], 'r:' .. id, amount .. '|' .. (now + ttl))
    reserved[i] = reserved[i] + amount
  end
end
local out = {status, fit, amount}
for i = 1, #KEYS do
  table.insert(out, spent[i])
  table.insert(out, reserved[i])
  table.insert(out, crossed(KEYS[i], spent[i], limits[i], call + per_item))
end
return out
`;

/**
 * Ends a reservation: what the call billed replaces the estimate (ARGV[2] micro-dollars; 0 when the
 * call billed nothing; -1 keeps the estimate, for a call whose bill is unknown). Ending one twice,
 * or one that was never made, changes nothing.
 * ARGV: reservation id, billed, call fee, worst per item, then per key its limit.
 * Returns per key: spent, crossed mask.
 */
export const SETTLE_SCRIPT = `${PRELUDE}
local id = ARGV[1]
local billed = tonumber(ARGV[2])
local one_item = tonumber(ARGV[3]) + tonumber(ARGV[4])
local out = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local spent = 0
  local mask = 0
  if redis.call('EXISTS', key) == 1 then
    local v = redis.call('HGET', key, 'r:' .. id)
    if v then
      local sep = string.find(v, '|', 1, true)
      local amount = tonumber(string.sub(v, 1, sep - 1))
      local charge = billed
      if charge < 0 then charge = amount end
      if string.sub(v, sep + 1) == 'swept' then
        -- The sweep already counted the estimate as spent: correct it to the bill.
        redis.call('HINCRBY', key, 'spent', charge - amount)
      else
        redis.call('HINCRBY', key, 'reserved', -amount)
        redis.call('HINCRBY', key, 'spent', charge)
      end
      redis.call('HDEL', key, 'r:' .. id)
    end
    spent = num(redis.call('HGET', key, 'spent'))
    mask = crossed(key, spent, tonumber(ARGV[4 + i]), one_item)
  end
  table.insert(out, spent)
  table.insert(out, mask)
end
return out
`;

/** A budget script's reply, as numbers. */
export async function runBudgetScript(
  redis: Redis,
  script: string,
  keys: readonly string[],
  args: ReadonlyArray<string | number>,
): Promise<number[]> {
  const reply = await runScript(redis, script, keys, args);
  return (reply as Array<number | string>).map(Number);
}
