import { createTestRedis, type TestRedis } from "@riskq/testing";
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { createFairShare } from "../src/batching/fair-share";
import { redisSendLog } from "../src/batching/send-log";

const suite = useTestRedis({ url: process.env.REDIS_URL });
const extra: TestRedis[] = [];
afterEach(async () => {
  await Promise.all(extra.splice(0).map((c) => c.cleanup()));
});

describe("fair share across worker processes (sends counted in Redis)", () => {
  it("gives every process the same priorities, wherever a merchant's batches were led", async () => {
    // Two processes, each on its own connection, sharing the prefix.
    const other = await createTestRedis({ url: process.env.REDIS_URL });
    extra.push(other);
    const prefix = suite.redis.prefix;
    // 10 calls/s, a full call is 100 items, a call beyond the share costs three 100-ms intervals.
    const options = { penaltyIntervals: 3, itemsPerCall: () => 100, callRate: () => 10 };
    const a = createFairShare({ ...options, log: redisSendLog({ redis: suite.redis.redis, prefix }) });
    const b = createFairShare({ ...options, log: redisSendLog({ redis: other.redis, prefix }) });
    // Merchant m's batches were led by process a (five full calls), merchant n's by both (two):
    // m sent 500 of 700 items, its share being 350: 1.5 calls beyond it.
    for (let i = 0; i < 5; i++) await a.sent("m", 100);
    await a.sent("n", 100);
    await b.sent("n", 100);
    expect(await b.priority("m", 10_000)).toBe(10_450);
    expect(await a.priority("m", 10_000)).toBe(10_450);
    expect(await a.priority("n", 10_000)).toBe(10_000);
    expect(await b.priority("n", 10_000)).toBe(10_000);
  });

  it("forgets sends older than the window", async () => {
    const log = redisSendLog({ redis: suite.redis.redis, prefix: suite.redis.prefix });
    await log.record("m", 100);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await log.record("m", 100);
    // The first send is at least 1 s old: out of a 500-ms window, in a minute's.
    expect((await log.ask("m", 500)).mine).toBeLessThanOrEqual(100);
    expect(await log.ask("m", 60_000)).toEqual({ mine: 200, total: 200, active: 1 });
  });
});
