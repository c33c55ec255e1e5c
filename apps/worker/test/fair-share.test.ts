import { describe, expect, it } from "vitest";
import { createFairShare } from "../src/batching/fair-share";

describe("fair share between merchants", () => {
  it("adds nothing to the deadline of merchants within their share, and puts one beyond its share behind", async () => {
    let now = 0;
    // 10 calls/s: a call interval is 100 ms, "recently" the last second.
    const fair = createFairShare({ penaltyIntervals: 4, now: () => now, callRate: () => 10 });
    await fair.sent("a");
    await fair.sent("b");
    expect(await fair.penaltyMs("a")).toBe(0);
    expect(await fair.penaltyMs("b")).toBe(0);
    // Four more calls for a: 5 of 6, its share being 3 — two calls beyond it, the first tolerated,
    // the second worth four call intervals.
    for (let i = 0; i < 4; i++) await fair.sent("a");
    expect(await fair.penaltyMs("b")).toBe(0);
    expect(await fair.penaltyMs("a")).toBe(400);
    // A second later the burst is forgotten.
    now = 1_001;
    expect(await fair.penaltyMs("a")).toBe(0);
  });

  it("tolerates one call beyond the share: merchants at about the same pace get no penalty", async () => {
    const fair = createFairShare({ penaltyIntervals: 4, now: () => 0, callRate: () => 10 });
    // a 4 calls, b 2: share 3, a one call beyond it — a sliding count's noise, no penalty.
    for (let i = 0; i < 4; i++) await fair.sent("a");
    await fair.sent("b");
    await fair.sent("b");
    expect(await fair.penaltyMs("a")).toBe(0);
    // One more: share 3.5, a 1.5 beyond, half a call past the tolerance.
    await fair.sent("a");
    expect(await fair.penaltyMs("a")).toBe(200);
    expect(await fair.penaltyMs("b")).toBe(0);
  });

  it("counts a merchant that only asks as active, so one that sent everything is beyond its share", async () => {
    const fair = createFairShare({ penaltyIntervals: 4, now: () => 0, callRate: () => 10 });
    for (let i = 0; i < 3; i++) await fair.sent("a");
    expect(await fair.penaltyMs("a")).toBe(0);
    expect(await fair.penaltyMs("b")).toBe(0);
    // b asked: a's share is half of the 3 calls, 1.5 beyond it, half a call past the tolerance.
    expect(await fair.penaltyMs("a")).toBe(200);
  });

  it("makes a call beyond the share cost seconds when calls are scarce (1 call/s)", async () => {
    const fair = createFairShare({ penaltyIntervals: 4, now: () => 0, callRate: () => 1 });
    // A burst's first three calls went out; another merchant's batch, due later, asks.
    for (let i = 0; i < 3; i++) await fair.sent("burst");
    expect(await fair.penaltyMs("other")).toBe(0);
    // Share 1.5 of 3: half a call past the tolerance, half of four 1-s intervals.
    expect(await fair.penaltyMs("burst")).toBe(2000);
  });

  it("takes the pace from the shared call rate when given, so processes leading few or many merchants weigh a call alike", async () => {
    let now = 0;
    // This process led one merchant's batches, sent every 400 ms: on its own pace a call interval
    // is 400 ms and "recently" the last 4 s. The shared rate is 10 calls/s: 100 ms, the last second.
    const own = createFairShare({ penaltyIntervals: 4, now: () => now });
    const shared = createFairShare({ penaltyIntervals: 4, now: () => now, callRate: () => 10 });
    for (let i = 0; i < 4; i++) {
      await own.sent("a");
      await shared.sent("a");
      now += 400;
    }
    now -= 100;
    await own.penaltyMs("b");
    await shared.penaltyMs("b");
    // Sends at 0, 400, 800 and 1200 ms; now 1500. Own pace: all 4 calls, share 2, one call past
    // the tolerance × 4 × 400 ms. Shared: the 2 calls of the last second, share 1, within the tolerance.
    expect(await own.penaltyMs("a")).toBe(1600);
    expect(await shared.penaltyMs("a")).toBe(0);
  });
});
