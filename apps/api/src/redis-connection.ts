import type { Logger } from "@riskq/observability";
import { coalesceWrites, connectFailFast } from "@riskq/redis";
import type { Redis } from "ioredis";

/** Timeouts of the API's Redis client: a request never waits on Redis longer than about this. */
const REDIS_TIMEOUT_MS = 1_000;

/**
 * The API's Redis client, built to fail fast (no offline queue, short timeouts): a request never
 * hangs on a Redis that is down — it is answered 503 at once — and the API recovers by itself once
 * Redis is back.
 */
export function createApiRedis(url: string, logger: Logger): Redis {
  const redis = connectFailFast(url, {
    logger,
    whileDown: "answering 503 until it is back",
    connectTimeoutMs: REDIS_TIMEOUT_MS,
    commandTimeoutMs: REDIS_TIMEOUT_MS,
  });
  // Each request's commands would otherwise be a socket write apiece (packages/redis: coalesce-writes.ts).
  coalesceWrites(redis, { until: "iteration" });
  return redis;
}
