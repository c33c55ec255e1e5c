/**
 * The Lua of OutcomeRecords. Key names are built inside the scripts from one base under riskq's
 * hash-tagged prefix, so every key is in the prefix's Redis Cluster slot (as BullMQ's are).
 *
 * Layout, per time bucket `b` (a bucket is an eighth of the TTL):
 * - `<base><b>`: the bucket's meta hash — `first` (shards when the bucket began), `shards` (now),
 *   `n` (records written);
 * - `<base><b>:<shards>:<shard>`: a small hash of records, field = 12-character digest of the job
 *   id, value = the encoded record. The shard count is in the name: the hashes of a bucket's
 *   earlier, smaller generations keep what they hold and are never written again.
 * A bucket starts with enough shards for as many records as the previous bucket held at ~32 per
 * shard, and doubles them whenever it averages more than 96: so each hash stays under Redis's
 * default `hash-max-listpack-entries` (128) and is stored as one compact listpack, not a hash table.
 * Every key of bucket `b` expires at the same instant, a TTL after the bucket ends.
 */

/** ARGV: base, bucket, expire-at (epoch ms), then (selector, field, value) per record. */
export const REMEMBER_SCRIPT = `
local base, bucket, expireAt = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local FILL, MAX_FILL, MIN_SHARDS = 32, 96, 16
local meta = base .. bucket
local shards = tonumber(redis.call("HGET", meta, "shards"))
if not shards then
  local previous = tonumber(redis.call("HGET", base .. (bucket - 1), "n")) or 0
  shards = MIN_SHARDS
  while shards * FILL < previous do shards = shards * 2 end
  redis.call("HSET", meta, "first", shards, "shards", shards)
  redis.call("PEXPIREAT", meta, expireAt)
end
local n = redis.call("HINCRBY", meta, "n", (#ARGV - 3) / 3)
while n > shards * MAX_FILL do
  shards = shards * 2
  redis.call("HSET", meta, "shards", shards)
end
for i = 4, #ARGV, 3 do
  local key = meta .. ":" .. shards .. ":" .. (tonumber(ARGV[i]) % shards)
  redis.call("HSET", key, ARGV[i + 1], ARGV[i + 2])
  redis.call("PEXPIREAT", key, expireAt)
end
return n
`;

/**
 * Every place a record of (selector, field) can be in the buckets newest..oldest, newest first and,
 * within a bucket, the largest shard count first (a record rewritten after the bucket grew is in the
 * newer place). Shared by the recall and forget scripts.
 */
const PLACES = `
local function bucketsOf(base, newest, count)
  local found = {}
  for b = newest, newest - count + 1, -1 do
    local meta = redis.call("HMGET", base .. b, "first", "shards")
    if meta[1] then found[#found + 1] = { base .. b .. ":", tonumber(meta[1]), tonumber(meta[2]) } end
  end
  return found
end
local function eachPlace(buckets, selector, visit)
  for _, bucket in ipairs(buckets) do
    local shards = bucket[3]
    while shards >= bucket[2] do
      if visit(bucket[1] .. shards .. ":" .. (selector % shards)) then return end
      shards = shards / 2
    end
  end
end
`;

/** ARGV: base, newest bucket, bucket count, then (selector, field) per id. Answers value or false per id. */
export const RECALL_SCRIPT = `${PLACES}
local base, newest, count = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local buckets = bucketsOf(base, newest, count)
local out = {}
for i = 4, #ARGV, 2 do
  local selector, field, value = tonumber(ARGV[i]), ARGV[i + 1], false
  eachPlace(buckets, selector, function(key)
    value = redis.call("HGET", key, field)
    return value
  end)
  out[#out + 1] = value
end
return out
`;

/** ARGV as RECALL_SCRIPT's. Deletes every copy; answers how many were deleted. */
export const FORGET_SCRIPT = `${PLACES}
local base, newest, count = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local buckets = bucketsOf(base, newest, count)
local deleted = 0
for i = 4, #ARGV, 2 do
  local selector, field = tonumber(ARGV[i]), ARGV[i + 1]
  eachPlace(buckets, selector, function(key)
    deleted = deleted + redis.call("HDEL", key, field)
    return false
  end)
end
return deleted
`;
