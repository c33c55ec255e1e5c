import type { Redis } from "ioredis";

/**
 * BullMQ loses jobs silently when Redis evicts keys, so the worker refuses to start on an evicting
 * `maxmemory-policy` unless explicitly allowed (development only).
 */
export async function checkEvictionPolicy(redis: Redis, allowEviction: boolean): Promise<string | undefined> {
  let policy: string | undefined;
  try {
    const reply = (await redis.config("GET", "maxmemory-policy")) as string[];
    policy = reply[1];
  } catch {
    return "could not read maxmemory-policy (CONFIG disabled?): make sure it is noeviction";
  }
  if (policy && /^(allkeys|volatile)-/.test(policy) && !allowEviction) {
    throw new Error(
      `Redis maxmemory-policy is ${policy}: evicted keys would silently lose jobs. ` +
        "Set it to noeviction (redis-cli CONFIG SET maxmemory-policy noeviction), " +
        "or set RISKQ_ALLOW_EVICTION=true for development only.",
    );
  }
  return undefined;
}
