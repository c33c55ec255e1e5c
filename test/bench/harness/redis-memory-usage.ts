import type { Redis } from "ioredis";

/** Redis's `used_memory` (bytes, allocator overhead included). */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

/** Exact memory of every key under a prefix (MEMORY USAGE … SAMPLES 0), and how many keys. */
export async function prefixMemory(redis: Redis, under: string): Promise<{ bytes: number; keys: number }> {
  const match = `${under.replace(/[*?[\]\\]/g, "\\$&")}*`;
  let cursor = "0";
  let bytes = 0;
  let keys = 0;
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", match, "COUNT", 1_000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of found) pipeline.memory("USAGE", key, "SAMPLES", 0);
    for (const [, size] of (await pipeline.exec()) ?? []) bytes += Number(size ?? 0);
    keys += found.length;
  } while (cursor !== "0");
  return { bytes, keys };
}
