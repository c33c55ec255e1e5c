import type { Logger } from "@riskq/observability";
import { connectFailFast } from "@riskq/redis";
import type { Redis } from "ioredis";

/**
 * The dashboard's Redis client, built to fail fast: a page asked for while Redis is down answers an
 * error at once instead of hanging. (Queues only: the dashboard runs no worker.)
 */
export function createDashboardRedis(url: string, logger: Logger): Redis {
  return connectFailFast(url, {
    logger,
    whileDown: "the board shows errors until it is back",
    connectTimeoutMs: 2_000,
    // Listing a page of jobs is a handful of commands; a stuck connection must not hold a page forever.
    commandTimeoutMs: 5_000,
  });
}
