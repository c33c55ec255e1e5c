import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { connectRedis, deletePrefix } from "@riskq/redis";
import type { Redis } from "ioredis";

/** A Redis connection whose keys all live under one unique prefix, so parallel tests never collide. */
export interface TestRedis extends AsyncDisposable {
  redis: Redis;
  /** A hash tag such as `{t-1a2b3c4d}`: keeps a test's keys in one cluster slot, as BullMQ needs. */
  prefix: string;
  /** `key("jobs", 42)` → `{t-1a2b3c4d}:jobs:42`. */
  key(...parts: Array<string | number>): string;
  /** Deletes every key under the prefix, then closes the connection. Safe to call twice. */
  cleanup(): Promise<void>;
}

export interface TestRedisOptions {
  /**
   * Defaults to redis://127.0.0.1:6379; the caller passes REDIS_URL (packages do not read env). A
   * `redis-cluster://…` URL gives a cluster client.
   */
  url?: string | undefined;
}

const DEFAULT_URL = "redis://127.0.0.1:6379";

/** Connects to a real Redis and hands out a fresh key prefix. */
export async function createTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const redis = connectRedis(options.url ?? DEFAULT_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = `{t-${randomBytes(4).toString("hex")}}`;
  let closed = false;

  async function cleanup(): Promise<void> {
    if (closed) return;
    closed = true;
    try {
      await deletePrefix(redis, prefix);
    } finally {
      // Wait for "end", not just quit's OK, so the socket is really gone when cleanup resolves.
      const ended = once(redis, "end");
      await redis.quit().catch(() => redis.disconnect());
      await ended;
    }
  }

  return {
    redis,
    prefix,
    key: (...parts) => [prefix, ...parts].join(":"),
    cleanup,
    [Symbol.asyncDispose]: cleanup,
  };
}
