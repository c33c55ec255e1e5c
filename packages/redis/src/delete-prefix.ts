import type { Cluster, Redis } from "ioredis";
import { isCluster } from "./connect-redis";

/**
 * Deletes every key under `prefix` — a test's, a bench run's, a demo's — and returns how many there
 * were. SCAN + UNLINK, never KEYS, so a shared Redis is not blocked; on a cluster every master is
 * scanned (the prefix's hash tag keeps its keys in one slot, on one of them).
 */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  // The prefix starts with "{": a literal in MATCH, since only * ? [ \ are special.
  const match = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  const nodes = isCluster(redis) ? (redis as unknown as Cluster).nodes("master") : [redis];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", match, "COUNT", 1_000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== "0");
  }
  return deleted;
}
