import { describe, expect, it } from "vitest";
import { createFairShare } from "../src/batching/fair-share";

describe("fair share between merchants", () => {
  it("orders by deadline between merchants at the same pace, and puts a bursting merchant behind", () => {
    let now = 0;
    const fair = createFairShare({ penaltyMs: 1_000, now: () => now });
    // Equal recent calls: the earlier deadline goes first.
    expect(fair.priority("a", 2_000)).toBeLessThan(fair.priority("b", 2_100));
    // Merchant a was granted three calls in the last second: its older deadline no longer wins.
    for (let i = 0; i < 3; i++) fair.granted("a");
    fair.granted("b");
    expect(fair.priority("a", 2_000)).toBeGreaterThan(fair.priority("b", 2_500));
    // A second later the burst is forgotten (calls came fast: "recently" is the last second).
    now = 1_001;
    expect(fair.priority("a", 2_000)).toBeLessThan(fair.priority("b", 2_100));
  });

  it("remembers a grant for three call intervals when calls are slow, so it still counts at the next permit", () => {
    let now = 0;
    const fair = createFairShare({ penaltyMs: 1_000, now: () => now });
    for (const merchant of ["x", "y", "x", "y"]) {
      fair.granted(merchant);
      now += 2_000;
    }
    // One call every 2 s: a's grant 2 s ago still weighs on it.
    fair.granted("a");
    now += 2_000;
    expect(fair.priority("a", 2_000)).toBeGreaterThan(fair.priority("b", 2_500));
  });

  it("takes the pace from the shared call rate when given, so processes leading few or many merchants weigh a grant alike", () => {
    let now = 0;
    // This process led one merchant's batches, granted every 400 ms: on its own pace "recently"
    // would be the last 1.2 s. The shared rate is 10 calls/s: the last second.
    const own = createFairShare({ penaltyMs: 1_000, now: () => now });
    const shared = createFairShare({ penaltyMs: 1_000, now: () => now, callRate: () => 10 });
    for (let i = 0; i < 3; i++) {
      own.granted("a");
      shared.granted("a");
      now += 400;
    }
    now -= 100;
    // The first grant (at 0) is 1.1 s old: still recent on the process's own pace, not on the shared one.
    expect(own.priority("a", 0)).toBe(3_000);
    expect(shared.priority("a", 0)).toBe(2_000);
  });
});
