import { describe, expect, it } from "vitest";
import { createBatchCap } from "../src/batching/batch-cap";
import { testLogger } from "./support/worker-harness";

describe("the batch cap", () => {
  it("drops to a truncation's size, is probed back to the documented limit once truncations stop, and drops again if the probe truncates", async () => {
    let now = 0;
    let forgotten = 0;
    const cap = createBatchCap({
      initial: 100,
      maximum: 100,
      probeAfterMs: 60_000,
      logger: testLogger,
      forgetLearned: async () => {
        forgotten += 1;
      },
      now: () => now,
    });
    cap.truncated(50);
    expect(cap.current()).toBe(50);
    now = 59_999;
    expect(cap.current()).toBe(50);
    now = 60_000;
    expect(cap.current()).toBe(100);
    expect(forgotten).toBe(1);
    // The account is still young: the probe's call is truncated again.
    cap.truncated(50);
    expect(cap.current()).toBe(50);
    now = 120_000;
    expect(cap.current()).toBe(100);
  });
});
