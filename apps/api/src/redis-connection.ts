import type { Logger } from "@riskq/observability";
import { connectRedis } from "@riskq/redis";
import type { Redis } from "ioredis";

/** Timeouts of the API's Redis client: a request never waits on Redis longer than about this. */
export const REDIS_TIMEOUT_MS = 1_000;

/**
 * The API's Redis client, built to fail fast: without an offline queue a command issued while the
 * connection is down rejects at once (instead of waiting, possibly forever, for a reconnect), and
 * the timeouts bound a connection that is up but unresponsive. Reconnection goes on in the
 * background, so the API recovers by itself once Redis is back.
 * (Workers need the opposite — `maxRetriesPerRequest: null` — which is why this is the API's own.)
 */
export function createApiRedis(url: string, logger: Logger): Redis {
  const redis = connectRedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: REDIS_TIMEOUT_MS,
    commandTimeout: REDIS_TIMEOUT_MS,
    // Never give up: 100 ms, 200 ms, … then every second.
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  });
  // One line per outage, not one per reconnect attempt.
  let down = false;
  redis.on("error", (err: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err }, "Redis unreachable; answering 503 until it is back");
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    logger.info("Redis reachable again");
  });
  return redis;
}
