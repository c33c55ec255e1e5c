import { createCallRateLimiter } from "@riskq/pipeline";
import type { Redis } from "ioredis";

/** The shared call-rate limiter's buckets under a prefix, as one line (rate and learned ceiling). */
export async function limiterState(redis: Redis, prefix: string): Promise<string> {
  const snapshot = await createCallRateLimiter({ redis, prefix }).snapshot();
  const buckets = Object.entries(snapshot).map(
    ([name, b]) => `${name}: ${b.rate.toFixed(2)}/s (ceiling ${b.ceiling?.toFixed(2) ?? "none"})`,
  );
  return `call-rate limiter: ${buckets.join(", ") || "no buckets"}`;
}
