import type { Logger } from "@riskq/observability";
import { connectRedis } from "@riskq/redis";
import type { Redis } from "ioredis";

/**
 * The dashboard's Redis client, built to fail fast: without an offline queue a page asked for while
 * Redis is down answers an error at once instead of hanging, and reconnection goes on in the
 * background. (Queues only: the dashboard runs no worker, which would need `maxRetriesPerRequest: null`.)
 */
export function createDashboardRedis(url: string, logger: Logger): Redis {
  const redis = connectRedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    // Listing a page of jobs is a handful of commands; a stuck connection must not hold a page forever.
    commandTimeout: 5_000,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  });
  // One line per outage, not one per reconnect attempt.
  let down = false;
  redis.on("error", (err: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err }, "Redis unreachable; the board shows errors until it is back");
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    logger.info("Redis reachable again");
  });
  return redis;
}
