import { describe, expect, it } from "vitest";
import { createFairShare } from "../src/batching/fair-share";

/** A full call carries 100 items. */
const FULL = 100;
const itemsPerCall = () => FULL;

describe("fair share between merchants", () => {
  it("orders merchants within their share by deadline alone, and puts one beyond its share behind", async () => {
    let now = 0;
    // 10 calls/s: a call interval is 100 ms, "recently" the last second.
    const fair = createFairShare({ penaltyIntervals: 3, itemsPerCall, now: () => now, callRate: () => 10 });
    await fair.sent("a", FULL);
    await fair.sent("b", FULL);
    expect(await fair.priority("a", 2_000)).toBe(2_000);
    expect(await fair.priority("b", 2_100)).toBe(2_100);
    // Four more full calls for a: 500 of 600 items, its share being 300 — two calls beyond it,
    // each worth three call intervals.
    for (let i = 0; i < 4; i++) await fair.sent("a", FULL);
    expect(await fair.priority("b", 2_500)).toBe(2_500);
    expect(await fair.priority("a", 2_000)).toBe(2_600);
    // A second later the burst is forgotten.
    now = 1_001;
    expect(await fair.priority("a", 2_000)).toBe(2_000);
  });

  it("weighs items, not calls: a merchant whose items went out in more, smaller calls is within its share", async () => {
    const fair = createFairShare({ penaltyIntervals: 3, itemsPerCall, now: () => 0, callRate: () => 10 });
    for (let i = 0; i < 8; i++) await fair.sent("a", FULL / 4);
    await fair.sent("b", FULL);
    await fair.sent("b", FULL);
    expect(await fair.priority("a", 2_000)).toBe(2_000);
    expect(await fair.priority("b", 2_000)).toBe(2_000);
  });

  it("counts a merchant that only asks as active, so one that sent everything is beyond its share", async () => {
    const fair = createFairShare({ penaltyIntervals: 3, itemsPerCall, now: () => 0, callRate: () => 10 });
    for (let i = 0; i < 3; i++) await fair.sent("a", FULL);
    expect(await fair.priority("a", 2_000)).toBe(2_000);
    expect(await fair.priority("b", 2_500)).toBe(2_500);
    // b asked: a's share is half of the 300 items, 1.5 calls beyond it.
    expect(await fair.priority("a", 2_000)).toBe(2_450);
  });

  it("makes a call beyond the share cost seconds when calls are scarce (1 call/s)", async () => {
    const fair = createFairShare({ penaltyIntervals: 3, itemsPerCall, now: () => 0, callRate: () => 1 });
    // A burst's first call went out; another merchant's batch, due half a second later, asks.
    await fair.sent("burst", FULL);
    expect(await fair.priority("other", 6_900)).toBe(6_900);
    expect(await fair.priority("burst", 6_400)).toBe(7_900);
  });

  it("takes the pace from the shared call rate when given, so processes leading few or many merchants weigh a call alike", async () => {
    let now = 0;
    // This process led one merchant's batches, sent every 400 ms: on its own pace a call interval
    // is 400 ms and "recently" the last 1.2 s. The shared rate is 10 calls/s: 100 ms, the last second.
    const own = createFairShare({ penaltyIntervals: 3, itemsPerCall, now: () => now });
    const shared = createFairShare({ penaltyIntervals: 3, itemsPerCall, now: () => now, callRate: () => 10 });
    for (let i = 0; i < 3; i++) {
      await own.sent("a", FULL);
      await shared.sent("a", FULL);
      now += 400;
    }
    now -= 100;
    await own.priority("b", 0);
    await shared.priority("b", 0);
    // Own pace: 300 items, share 150, 1.5 calls × 3 × 400 ms. Shared: 200 items, share 100, 1 call × 3 × 100 ms.
    expect(await own.priority("a", 0)).toBe(1_800);
    expect(await shared.priority("a", 0)).toBe(300);
  });
});
