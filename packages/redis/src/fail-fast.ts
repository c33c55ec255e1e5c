import type { Logger } from "@riskq/observability";
import type { Redis } from "ioredis";
import { connectRedis } from "./connect-redis";

export interface FailFastOptions {
  /** Where outages are told (warn) and their end (info). */
  logger: Pick<Logger, "warn" | "info">;
  /** The outage line's message, saying what callers get meanwhile (e.g. "answering 503 until it is back"). */
  whileDown: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

/**
 * A Redis client for request handlers (the API, the dashboard), built to fail fast: without an
 * offline queue a command issued while Redis is down rejects at once instead of waiting — possibly
 * forever — for a reconnect, and the timeouts bound a connection that is up but unresponsive.
 * Reconnection goes on in the background (100 ms, 200 ms, … then every second), and an outage is
 * logged once, not at every attempt. Workers need the opposite (`maxRetriesPerRequest: null`).
 */
export function connectFailFast(url: string, options: FailFastOptions): Redis {
  const redis = connectRedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  });
  let down = false;
  redis.on("error", (err: Error) => {
    if (down) return;
    down = true;
    options.logger.warn({ err }, `Redis unreachable; ${options.whileDown}`);
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    options.logger.info("Redis reachable again");
  });
  return redis;
}
