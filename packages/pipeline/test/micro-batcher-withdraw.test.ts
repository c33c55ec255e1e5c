import { describe, expect, it } from "vitest";
import { type GateContext, ItemWithdrawn } from "../src";
import { createMicroBatcher } from "../src/batching/micro-batcher";

/** Items are their own deadlines (epoch ms); a gate the test opens by hand, recording what it was told. */
function deadlineBatcher(options: { minTimeLeftMs?: number; now?: () => number } = {}) {
  const asked: GateContext[] = [];
  const opens: Array<() => void> = [];
  const sent: number[][] = [];
  const inFlight: Array<() => void> = [];
  const batcher = createMicroBatcher<number, string, string>({
    keyOf: () => "k",
    cap: () => 10,
    lingerMs: 1,
    deadlineOf: (item) => item,
    ...(options.minTimeLeftMs === undefined ? {} : { minTimeLeftMs: () => options.minTimeLeftMs! }),
    ...(options.now ? { now: options.now } : {}),
    gate: (_key, context) =>
      new Promise<string>((resolve, reject) => {
        asked.push(context);
        context.signal.addEventListener("abort", () => reject(context.signal.reason));
        opens.push(() => resolve("permit"));
      }),
    flush: (_key, items) =>
      new Promise((resolve) => {
        sent.push([...items]);
        inFlight.push(() => resolve(items.map((i) => `scored ${i}`)));
      }),
  });
  return { batcher, asked, opens, sent, inFlight };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 15));

describe("micro-batcher: deadlines and withdrawn items", () => {
  it("tells the gate the batch's earliest deadline, and never sends an item withdrawn while it waited", async () => {
    const { batcher, asked, opens, sent, inFlight } = deadlineBatcher();
    const late = new AbortController();
    const first = batcher.submit(5_000);
    const withdrawn = batcher.submit(3_000, { signal: late.signal });
    await settle();
    expect(asked.map((c) => c.deadline)).toEqual([3_000]);
    late.abort();
    await expect(withdrawn).rejects.toEqual(new ItemWithdrawn("gating"));
    opens.shift()!();
    await settle();
    expect(sent).toEqual([[5_000]]);
    inFlight.shift()!();
    await expect(first).resolves.toBe("scored 5000");
  });

  it("tells the gate the batch's deadline as it stands: withdrawn items leave it, and only what one call takes counts", async () => {
    const { batcher, asked, opens, inFlight } = deadlineBatcher();
    const early = new AbortController();
    const withdrawn = batcher.submit(2_000, { signal: early.signal });
    const rest = [batcher.submit(6_000), batcher.submit(4_000)];
    await settle();
    expect(asked.map((c) => c.deadline)).toEqual([2_000]);
    expect(asked[0]!.deadlineNow()).toBe(2_000);
    early.abort();
    await expect(withdrawn).rejects.toBeInstanceOf(ItemWithdrawn);
    expect(asked[0]!.deadlineNow()).toBe(4_000);
    // Items join while the batch waits; those past its cap of 10 go in a later call and do not count.
    const joined = Array.from({ length: 8 }, () => batcher.submit(5_000));
    const beyondCap = batcher.submit(1_000);
    expect(asked[0]!.deadlineNow()).toBe(4_000);
    opens.shift()!();
    await settle();
    inFlight.shift()!();
    await Promise.all([...rest, ...joined]);
    expect(asked[1]!.deadlineNow()).toBe(1_000);
    opens.shift()!();
    await settle();
    inFlight.shift()!();
    await expect(beyondCap).resolves.toBe("scored 1000");
  });

  it("abandons the gate once every item of the batch was withdrawn: no permit is spent for nothing", async () => {
    const { batcher, asked, sent } = deadlineBatcher();
    const abort = new AbortController();
    const only = batcher.submit(1_000, { signal: abort.signal });
    await settle();
    expect(asked).toHaveLength(1);
    abort.abort();
    await expect(only).rejects.toBeInstanceOf(ItemWithdrawn);
    expect(asked[0]!.signal.aborted).toBe(true);
    // A later item gets a gate of its own and goes out as usual.
    const next = batcher.submit(2_000);
    await settle();
    expect(asked).toHaveLength(2);
    expect(asked[1]!.signal.aborted).toBe(false);
    expect(sent).toEqual([]);
    void next.catch(() => {});
  });

  it("an item withdrawn in flight is rejected at once as in_flight; its call's answer is dropped", async () => {
    const { batcher, opens, inFlight } = deadlineBatcher();
    const abort = new AbortController();
    const withdrawn = batcher.submit(9_000, { signal: abort.signal });
    const stays = batcher.submit(9_500);
    await settle();
    opens.shift()!();
    await settle();
    abort.abort();
    await expect(withdrawn).rejects.toEqual(new ItemWithdrawn("in_flight"));
    inFlight.shift()!();
    await expect(stays).resolves.toBe("scored 9500");
  });

  it("withdraws instead of sending the items left less time than a call takes", async () => {
    const { batcher, opens, sent, inFlight } = deadlineBatcher({ minTimeLeftMs: 400, now: () => 10_000 });
    const tooLate = batcher.submit(10_300);
    const inTime = batcher.submit(10_500);
    await settle();
    opens.shift()!();
    await expect(tooLate).rejects.toEqual(new ItemWithdrawn("gating"));
    await settle();
    expect(sent).toEqual([[10_500]]);
    inFlight.shift()!();
    await expect(inTime).resolves.toBe("scored 10500");
  });

  it("sends the late items rather than nothing when the permit would otherwise go unused (the limiter must hear answers)", async () => {
    const { batcher, opens, sent, inFlight } = deadlineBatcher({ minTimeLeftMs: 400, now: () => 10_000 });
    const late = batcher.submit(10_300);
    const alsoLate = batcher.submit(10_200);
    await settle();
    opens.shift()!();
    await settle();
    // All of them: only a full call shows whether Alipay answers a call whole (a young account's cap).
    expect(sent).toEqual([[10_300, 10_200]]);
    inFlight.shift()!();
    await expect(late).resolves.toBe("scored 10300");
    await expect(alsoLate).resolves.toBe("scored 10200");
  });
});
