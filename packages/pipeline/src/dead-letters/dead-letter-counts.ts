import type { Redis } from "ioredis";
import type { DeadLetterQueue } from "../queues/score-queues";

/** Past this many dead letters a count stops (they are capped at 10 000 by default anyway). */
export const DEAD_LETTER_COUNT_LIMIT = 20_000;

// Dead letters are `score-dead` jobs named after their reason (`dead.add(reason, …)`), all waiting
// (nothing consumes the queue): one script reads the names, so a scrape is one round trip whose cost
// is bounded by ARGV[2] rather than by what accumulated.
const COUNT_BY_NAME = `
local ids = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
local counts = {}
for _, id in ipairs(ids) do
  local name = redis.call('HGET', ARGV[1] .. id, 'name')
  if name then counts[name] = (counts[name] or 0) + 1 end
end
local out = {}
for name, n in pairs(counts) do
  out[#out + 1] = name
  out[#out + 1] = n
end
return out
`;

/**
 * Dead letters by reason, read in one Lua call over at most `limit` letters (the newest, as
 * `score-dead` pushes new jobs to the head of its list). `redis` is any client on the queue's Redis.
 */
export async function countDeadLettersByReason(
  redis: Redis,
  dead: DeadLetterQueue,
  limit = DEAD_LETTER_COUNT_LIMIT,
): Promise<Record<string, number>> {
  const reply = (await redis.eval(COUNT_BY_NAME, 1, dead.keys.wait!, dead.toKey(""), limit)) as Array<
    string | number
  >;
  const counts: Record<string, number> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) counts[String(reply[i])] = Number(reply[i + 1]);
  return counts;
}
