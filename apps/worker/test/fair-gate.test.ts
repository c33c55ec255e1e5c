import { createCallRateLimiter } from "@riskq/pipeline";
import { useTestRedis } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import { createFairGate } from "../src/batching/fair-gate";
import { createFairShare } from "../src/batching/fair-share";

const suite = useTestRedis({ url: process.env.REDIS_URL });
const BUCKETS = ["batch"];

/** A limiter in the suite's Redis held at `rate` calls/s. */
const limiterAt = (rate: number) =>
  createCallRateLimiter({
    redis: suite.redis.redis,
    prefix: suite.redis.prefix,
    initialRate: rate,
    maxRate: rate,
  });

describe("the fair gate of a merchant's batches", () => {
  it("puts a waiting batch behind once its merchant goes beyond its share, though it asked within it", async () => {
    // 4 calls/s, shared through Redis: a call interval is 250 ms, a call beyond the share (past
    // the first) costs four of them.
    const limiter = limiterAt(4);
    const fairShare = createFairShare({ penaltyIntervals: 4, callRate: () => 4 });
    const gate = createFairGate({ limiter, buckets: BUCKETS, fairShare, recheckMs: 20 });
    // The bucket is emptied, so the batches below wait in line; the burst merchant already had two calls.
    for (let i = 0; i < 3; i++) await limiter.acquire(BUCKETS);
    await fairShare.sent("burst");
    await fairShare.sent("burst");

    const granted: string[] = [];
    const ask = async (merchant: string, deadline: number) => {
      await gate(merchant, () => deadline, new AbortController().signal);
      granted.push(merchant);
      await fairShare.sent(merchant);
    };
    const now = Date.now();
    // Both burst batches ask with no penalty (2 of 2 calls, share 1: within the tolerance) and the
    // earlier deadline. After the first is sent the burst has 3 of 3 calls, share 1.5: half a call
    // past the tolerance, 500 ms — its second batch now comes after the other merchant's.
    await Promise.all([ask("burst", now + 1_000), ask("burst", now + 1_000), ask("other", now + 1_300)]);
    expect(granted).toEqual(["burst", "other", "burst"]);
  });

  it("orders waiting batches by their deadline as it stands now, not as it was when they asked", async () => {
    const limiter = limiterAt(4);
    const fairShare = createFairShare({ penaltyIntervals: 4, callRate: () => 4 });
    const gate = createFairGate({ limiter, buckets: BUCKETS, fairShare, recheckMs: 20 });
    for (let i = 0; i < 3; i++) await limiter.acquire(BUCKETS);

    const now = Date.now();
    // "stale" asks first with the earliest deadline; its oldest items then leave (withdrawn at their
    // deadline), so what it would send is due later than "fresh"'s items: read after it asked, its
    // deadline is the later one. The bucket is empty, so no read before that can be granted.
    let staleReads = 0;
    const staleDeadline = () => (++staleReads === 1 ? now + 500 : now + 3_000);
    const granted: string[] = [];
    const ask = async (merchant: string, deadline: () => number) => {
      await gate(merchant, deadline, new AbortController().signal);
      granted.push(merchant);
    };
    await Promise.all([ask("stale", staleDeadline), ask("fresh", () => now + 1_000)]);
    expect(staleReads).toBeGreaterThan(1);
    expect(granted).toEqual(["fresh", "stale"]);
  });

  it("asks no penalty while calls are free: the batch is granted at once", async () => {
    const limiter = limiterAt(100);
    let asked = 0;
    const gate = createFairGate({
      limiter,
      buckets: BUCKETS,
      fairShare: {
        async penaltyMs() {
          asked += 1;
          return 0;
        },
      },
    });
    await gate("m", () => Date.now() + 1_000, new AbortController().signal);
    expect(asked).toBe(0);
  });
});
