import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

/** A fresh hash-tagged prefix such as `{bench-1a2b3c4d}`: one run's keys, apart from everything else. */
export function newBenchPrefix(): string {
  return `{bench-${randomBytes(4).toString("hex")}}`;
}

/** Deletes every key under `prefix` (SCAN + UNLINK, never KEYS, so a shared Redis is not blocked). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  // The prefix starts with "{": a literal in MATCH, since only * ? [ \ are special.
  const match = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", match, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}
