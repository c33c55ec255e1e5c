import { connectRedis as connectToRedis } from "@riskq/redis";
import type { Redis } from "ioredis";
import { CliError } from "../cli-errors";

/** The URL without its password, for messages. */
const shownRedisUrl = (url: string): string => url.replace(/\/\/[^@/]*@/, "//***@");

/**
 * A Redis connection for one command: connected before it is returned, failing fast (no retries,
 * no offline queue) so a down Redis is one clear message instead of a hang.
 */
async function connectRedis(url: string): Promise<Redis> {
  const redis = connectToRedis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 5_000,
    retryStrategy: () => null,
  });
  // Failures surface through the commands' promises; without a listener they would crash the process.
  redis.on("error", () => {});
  try {
    await redis.connect();
  } catch {
    redis.disconnect();
    throw new CliError(
      `Redis at ${shownRedisUrl(url)} is not reachable: start it (bash scripts/ensure-redis.sh) or set REDIS_URL`,
      "redis_unreachable",
    );
  }
  return redis;
}

/** Runs `use` with a connection and closes it afterwards, whatever happens. */
export async function withRedis<T>(url: string, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = await connectRedis(url);
  try {
    return await use(redis);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
