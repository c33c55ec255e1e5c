import { describe, expect, it } from "vitest";
import { type Attempt, WaitLane } from "../src/call-rate-limiter/wait-lane";

/**
 * A lane over a counter of free permits: each attempt takes one if any is left, else is told to
 * wait `waitMs`. It records how many attempts were under way at once.
 */
function countingLane(permits: { left: number }, freeAfterMs = 1_000, waitMs = 5) {
  const seen = { inFlight: 0, mostAtOnce: 0, attempts: 0 };
  const lane = new WaitLane<number>(
    async (): Promise<Attempt<number>> => {
      seen.attempts += 1;
      seen.inFlight += 1;
      seen.mostAtOnce = Math.max(seen.mostAtOnce, seen.inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      seen.inFlight -= 1;
      if (permits.left > 0) return { value: permits.left-- };
      return { waitMs };
    },
    undefined,
    freeAfterMs,
  );
  return { lane, seen };
}

/**
 * A counting lane with no permit left, made scarce by a first caller (priority 9) whose attempt
 * was refused: callers after it wait in line.
 */
async function scarceLane() {
  const permits = { left: 0 };
  const { lane, seen } = countingLane(permits);
  const first = lane.wait({ priority: 9 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(lane.scarce()).toBe(true);
  return { lane, seen, permits, first };
}

describe("wait lane", () => {
  it("lets callers ask side by side while no attempt has been refused", async () => {
    const { lane, seen } = countingLane({ left: 10 });
    const granted = await Promise.all(Array.from({ length: 5 }, () => lane.wait()));
    expect(granted.sort((a, b) => a - b)).toEqual([6, 7, 8, 9, 10]);
    expect(seen.mostAtOnce).toBe(5);
    expect(lane.scarce()).toBe(false);
  });

  it("puts callers in line after a refusal: only the head asks, lowest priority first", async () => {
    // Refused: from now on calls are scarce, and callers queue.
    const { lane, seen, permits, first } = await scarceLane();
    const order: number[] = [];
    const waiting = [3, 1, 2].map((priority) => lane.wait({ priority }).then(() => order.push(priority)));
    seen.mostAtOnce = 0;
    permits.left = 4;
    await Promise.all([first, ...waiting]);
    expect(order).toEqual([1, 2, 3]);
    expect(seen.mostAtOnce).toBe(1);
  });

  it("reads a priority given as a function each time it orders the line: a caller whose priority rose waits, in place", async () => {
    const { lane, seen, permits, first } = await scarceLane();
    const order: string[] = [];
    // "penalized" first asks ahead of "other" (1 < 2), then its priority rises past it while it waits.
    let penalized = 1;
    const waiting = [
      lane.wait({ priority: () => penalized }).then(() => order.push("penalized")),
      lane.wait({ priority: 2 }).then(() => order.push("other")),
    ];
    await new Promise((resolve) => setTimeout(resolve, 20));
    penalized = 3;
    const attemptsBefore = seen.attempts;
    permits.left = 3;
    await Promise.all([first, ...waiting]);
    expect(order).toEqual(["other", "penalized"]);
    // Nobody asked anew: one attempt per grant.
    expect(seen.attempts - attemptsBefore).toBeLessThanOrEqual(4);
  });

  it("is free again once no attempt has been refused for freeAfterMs", async () => {
    const permits = { left: 0 };
    const { lane } = countingLane(permits, 30);
    const refused = lane.wait();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lane.scarce()).toBe(true);
    permits.left = 1;
    await refused;
    while (lane.scarce()) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lane.scarce()).toBe(false);
  });

  it("keeps a newcomer behind callers still in line, even when the last refusal is older than freeAfterMs", async () => {
    const permits = { left: 0 };
    // Refused callers nap 60 ms, longer than the 20 ms after which an idle lane counts as free.
    const { lane } = countingLane(permits, 20, 60);
    const order: string[] = [];
    const waiting = lane.wait({ priority: 1 }).then(() => order.push("in line"));
    await new Promise((resolve) => setTimeout(resolve, 30));
    permits.left = 2;
    const newcomer = lane.wait({ priority: 9 }).then(() => order.push("newcomer"));
    await Promise.all([waiting, newcomer]);
    expect(order).toEqual(["in line", "newcomer"]);
  });

  it("rejects a caller that gave up while its attempt was under way", async () => {
    const permits = { left: 1 };
    const { lane, seen } = countingLane(permits);
    const controller = new AbortController();
    const gaveUp = lane.wait({ signal: controller.signal });
    expect(seen.inFlight).toBe(1);
    controller.abort(new Error("deadline passed"));
    await expect(gaveUp).rejects.toThrow("deadline passed");
  });
});
