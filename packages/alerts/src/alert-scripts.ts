export { runScript } from "@riskq/redis";

/**
 * The alerter's Redis scripts. Each is one atomic step, so replicas racing on the same group or
 * notification cannot both act: the loser finds the state already moved on. Time comes in as an
 * argument (the alerter's clock, faked in tests); all keys share the prefix's hash slot.
 */

/**
 * Folds one stream entry into its group, exactly once: the XACK inside the script is the guard (a
 * replica that took over a slow one's pending entry finds it acknowledged and does nothing).
 * KEYS: stream, state, seen, samples, due.
 * ARGV: consumer group, entry id, group key, now, group wait, group interval, resolve after,
 * identity, job id or '', max samples, ttl, kind, group, subject, reason, message, error, at.
 * Returns 0 (already folded), 1 (repeat of a known alert), 2 (new alert).
 */
export const FOLD_EVENT = `
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
local now = tonumber(ARGV[4])
local lastEvent = tonumber(redis.call('HGET', KEYS[2], 'last_event_at'))
local notifiedBefore = redis.call('HEXISTS', KEYS[2], 'last_notified_at') == 1
local pending = tonumber(redis.call('HGET', KEYS[2], 'count') or '0') > tonumber(redis.call('HGET', KEYS[2], 'notified_count') or '0')
-- A group quiet for resolve-after, with nothing left to tell, is over: this event starts a new one.
if lastEvent and notifiedBefore and not pending and now - lastEvent >= tonumber(ARGV[7]) then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  lastEvent = nil
end
if not lastEvent then
  redis.call('HSET', KEYS[2], 'kind', ARGV[12], 'group', ARGV[13], 'created_at', ARGV[4],
    'first_seen', ARGV[18], 'last_seen', ARGV[18], 'count', 0, 'notified_count', 0, 'events', 0)
  redis.call('ZADD', KEYS[5], now + tonumber(ARGV[5]), ARGV[3])
end
redis.call('HINCRBY', KEYS[2], 'events', 1)
local fresh = redis.call('SADD', KEYS[3], ARGV[8]) == 1
if fresh then
  redis.call('HINCRBY', KEYS[2], 'count', 1)
  if ARGV[9] ~= '' then
    redis.call('LPUSH', KEYS[4], ARGV[9])
    redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[10]) - 1)
  end
  -- News after a notice: the next one comes group_interval after that notice, not at the repeat.
  local lastNotified = tonumber(redis.call('HGET', KEYS[2], 'last_notified_at'))
  if lastNotified then
    local want = math.max(lastNotified + tonumber(ARGV[6]), now)
    local current = tonumber(redis.call('ZSCORE', KEYS[5], ARGV[3]))
    if not current or want < current then redis.call('ZADD', KEYS[5], want, ARGV[3]) end
  end
end
local at = tonumber(ARGV[18])
if at >= tonumber(redis.call('HGET', KEYS[2], 'last_seen')) then
  redis.call('HSET', KEYS[2], 'last_seen', ARGV[18], 'message', ARGV[16])
  if ARGV[17] ~= '' then redis.call('HSET', KEYS[2], 'last_error', ARGV[17]) end
end
if at < tonumber(redis.call('HGET', KEYS[2], 'first_seen')) then redis.call('HSET', KEYS[2], 'first_seen', ARGV[18]) end
if ARGV[14] ~= '' then redis.call('HSET', KEYS[2], 'subject', ARGV[14]) end
if ARGV[15] ~= '' then redis.call('HSET', KEYS[2], 'reason', ARGV[15]) end
redis.call('HSET', KEYS[2], 'last_event_at', ARGV[4])
for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[11]) end
if fresh then return 2 end
return 1
`;

/**
 * Claims a due group's notification: decides what is due (first notice, update, repeat, or a silent
 * resolution), writes the notification's snapshot to the outbox and moves the group's timer — all at
 * once, so of two replicas looking at the same due group exactly one writes a notification.
 * KEYS: state, seen, samples, due, outbox, notification. ARGV: group key, now, repeat interval,
 * resolve after, notification id. Returns the snapshot (JSON), 'resolved', or false (not due).
 */
export const CLAIM_GROUP = `
local now = tonumber(ARGV[2])
local due = tonumber(redis.call('ZSCORE', KEYS[4], ARGV[1]))
if not due or due > now then return false end
local h = redis.call('HMGET', KEYS[1], 'last_event_at', 'count', 'notified_count', 'last_notified_at')
if not h[1] then
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('DEL', KEYS[2], KEYS[3])
  return false
end
local count, notified = tonumber(h[2]), tonumber(h[3])
local status
if not h[4] then status = 'firing'
elseif count > notified then status = 'update'
elseif now - tonumber(h[1]) < tonumber(ARGV[4]) then status = 'repeat'
else
  -- Nothing new, and quiet for resolve-after: the group is over (no notice; see docs/operations.md,
  -- "Alerts").
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  return 'resolved'
end
local fields = redis.call('HGETALL', KEYS[1])
local snapshot = {}
for i = 1, #fields, 2 do snapshot[fields[i]] = fields[i + 1] end
snapshot.samples = redis.call('LRANGE', KEYS[3], 0, -1)
snapshot.status = status
snapshot.id = ARGV[5]
snapshot.notified_at = ARGV[2]
snapshot.new = count - notified
snapshot.previous_notice_at = h[4]
local json = cjson.encode(snapshot)
redis.call('HSET', KEYS[6], 'notification', json, 'attempts', 0, 'created_at', ARGV[2])
redis.call('ZADD', KEYS[5], now, ARGV[5])
redis.call('HSET', KEYS[1], 'notified_count', count, 'last_notified_at', ARGV[2])
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[3]), ARGV[1])
return json
`;

/**
 * Leases a due outbox entry for one delivery attempt: its next attempt moves `lease` ms ahead, so
 * other replicas leave it alone while this one sends — and take it over if this one dies.
 * KEYS: outbox, notification. ARGV: id, now, lease. Returns the entry's fields, or false.
 */
export const LEASE_NOTIFICATION = `
local at = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]))
if not at or at > tonumber(ARGV[2]) then return false end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return false
end
redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
return redis.call('HGETALL', KEYS[2])
`;
