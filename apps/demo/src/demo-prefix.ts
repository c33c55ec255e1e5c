import { randomBytes } from "node:crypto";
import { isCluster } from "@riskq/redis";
import type { Cluster, Redis } from "ioredis";

/** A fresh key prefix for one demo run; a hash tag, so every key lives in one Redis Cluster slot. */
export function newDemoPrefix(): string {
  return `{riskq-demo-${randomBytes(4).toString("hex")}}`;
}

/** Deletes every key under `prefix`; returns how many there were. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  // The prefix starts with "{": a literal in MATCH, since only * ? [ \ are special.
  const match = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  // A cluster keeps the prefix's keys in one slot, on one master; scan them all to find it.
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
