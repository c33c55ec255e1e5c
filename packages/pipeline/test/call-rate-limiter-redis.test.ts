import { createTestRedis, type TestRedis } from "@riskq/testing";
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { CallRateLimiter, type CallRateLimiterOptions, type Permit } from "../src/index";

const suite = useTestRedis({ url: process.env.REDIS_URL });
const extraConnections: TestRedis[] = [];

afterEach(async () => {
  await Promise.all(extraConnections.splice(0).map((c) => c.cleanup()));
});

/** A limiter on its own Redis connection (as another process would have), on the test's prefix. */
async function limiterOnOwnConnection(
  options: Partial<CallRateLimiterOptions> = {},
): Promise<CallRateLimiter> {
  const connection = await createTestRedis({ url: process.env.REDIS_URL });
  extraConnections.push(connection);
  return new CallRateLimiter({ redis: connection.redis, prefix: suite.redis.prefix, ...options });
}

describe("CallRateLimiter against Redis", () => {
  it("shares one bucket between instances: grants never exceed rate × time + burst", async () => {
    const options = { initialRate: 20, burstSeconds: 0.5 };
    const limiters = [await limiterOnOwnConnection(options), await limiterOnOwnConnection(options)];
    const grants = [0, 0];
    const windowS = 2;
    const until = performance.now() + windowS * 1000;
    await Promise.all(
      limiters.flatMap((limiter, i) =>
        Array.from({ length: 10 }, async () => {
          while (performance.now() < until) {
            await limiter.acquire("app");
            if (performance.now() <= until) grants[i]! += 1;
          }
        }),
      ),
    );
    const total = grants[0]! + grants[1]!;
    console.log(`two instances, 20/s shared: ${total} grants in ${windowS} s (${grants.join(" + ")})`);
    // Burst: 0.5 s × 20/s = 10 calls; +2 for the calls at either edge of the window.
    expect(total).toBeLessThanOrEqual(20 * windowS + 10 + 2);
    expect(grants[0]).toBeGreaterThan(0);
    expect(grants[1]).toBeGreaterThan(0);
  });

  it("takes a permit from several buckets atomically: a refused second bucket does not spend the first", async () => {
    // 0.01 calls/s: one call per 100 s, so nothing refills during the test.
    const limiter = new CallRateLimiter({
      redis: suite.redis.redis,
      prefix: suite.redis.prefix,
      initialRate: 0.01,
      minRate: 0.01,
      burstSeconds: 0,
    });
    expect((await limiter.tryAcquire("method")).granted).toBe(true);
    const both = await limiter.tryAcquire(["app", "method"]);
    expect(both.granted).toBe(false);
    if (!both.granted) expect(both.waitMs).toBeGreaterThan(90_000);
    expect((await limiter.tryAcquire("app")).granted).toBe(true);
    expect((await limiter.tryAcquire("app")).granted).toBe(false);
  });

  it("cuts the shared rate once when many calls of several processes get 429 together", async () => {
    const limiters = [
      await limiterOnOwnConnection({ initialRate: 10 }),
      await limiterOnOwnConnection({ initialRate: 10 }),
      await limiterOnOwnConnection({ initialRate: 10 }),
    ];
    const permits: Array<[CallRateLimiter, Permit]> = [];
    for (const limiter of limiters) {
      for (let i = 0; i < 3; i++) permits.push([limiter, await limiter.acquire(["app", "method"])]);
    }
    // Every call was sent before anybody heard of a 429: together they are one overload.
    await Promise.all(permits.map(([limiter, permit]) => limiter.onThrottled(permit, "method")));
    const snapshot = await limiters[0]!.snapshot();
    expect(snapshot.method?.rate).toBeCloseTo(7, 9);
    expect(snapshot.method?.ceiling).toBe(10);
    expect(snapshot.method?.lastCutAt).toBeInstanceOf(Date);
    expect(snapshot.app?.rate).toBe(10);
    expect(snapshot.app?.ceiling).toBeUndefined();
  });

  it("rejects a waiting caller whose signal aborts, and hands the next grant to the one behind it", async () => {
    const limiter = new CallRateLimiter({
      redis: suite.redis.redis,
      prefix: suite.redis.prefix,
      initialRate: 0.01,
      minRate: 0.01,
      burstSeconds: 0,
    });
    await limiter.acquire("app");
    const controller = new AbortController();
    const waiting = limiter.acquire("app", { signal: controller.signal });
    controller.abort(new Error("caller gave up"));
    await expect(waiting).rejects.toThrow("caller gave up");
  });

  it("a waiting caller takes a bucket far below its learned rate back to it, and the next slot follows the new rate", async () => {
    const { redis, prefix } = suite.redis;
    const limiter = new CallRateLimiter({ redis, prefix, initialRate: 0.5, minRate: 0.5, burstSeconds: 0 });
    const first = await limiter.acquire("batch");
    // A storm cut the rate to 0.5/s, far below the 10/s learned before it; no 429 since long ago.
    const key = `${prefix}:call-rate:batch`;
    await redis.hset(key, { learned: 10, ceiling: 1, lastStepAt: first.grantedAt - 5_000, lastRefusalAt: 0 });
    expect(Number(await redis.hget(key, "tat"))).toBeCloseTo(first.grantedAt + 2_000, 0);
    const second = await limiter.acquire("batch");
    const [rate, tat] = await redis.hmget(key, "rate", "tat");
    expect(Number(rate)).toBe(10);
    // Granted on the new 100 ms interval, not after the 2 s the old rate had scheduled.
    expect(second.grantedAt - first.grantedAt).toBeLessThan(2_000);
    expect(Number(tat)).toBeCloseTo(second.grantedAt + 100, 0);
  });

  it("refuses a prefix without a hash tag (its scripts could span cluster slots)", () => {
    expect(() => new CallRateLimiter({ redis: suite.redis.redis, prefix: "riskq" })).toThrow(/hash tag/);
  });
});
