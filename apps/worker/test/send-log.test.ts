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
    // 10 calls/s, a call beyond the share (past the first) costs four 100-ms intervals.
    const options = { penaltyIntervals: 4, callRate: () => 10 };
    const a = createFairShare({ ...options, log: redisSendLog({ redis: suite.redis.redis, prefix }) });
    const b = createFairShare({ ...options, log: redisSendLog({ redis: other.redis, prefix }) });
    // Merchant m's batches were led by process a (five calls), merchant n's by both (two):
    // m sent 5 of 7 calls, its share being 3.5: 1.5 calls beyond it, half a call past the tolerance.
    for (let i = 0; i < 5; i++) await a.sent("m");
    await a.sent("n");
    await b.sent("n");
    expect(await b.penaltyMs("m")).toBe(200);
    expect(await a.penaltyMs("m")).toBe(200);
    expect(await a.penaltyMs("n")).toBe(0);
    expect(await b.penaltyMs("n")).toBe(0);
  });

  it("forgets sends older than the window", async () => {
    const log = redisSendLog({ redis: suite.redis.redis, prefix: suite.redis.prefix });
    await log.record("m");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await log.record("m");
    // The first send is at least 1 s old: out of a 500-ms window, in a minute's.
    expect((await log.ask("m", 500)).mine).toBeLessThanOrEqual(1);
    expect(await log.ask("m", 60_000)).toEqual({ mine: 2, total: 2, active: 1 });
  });
});
