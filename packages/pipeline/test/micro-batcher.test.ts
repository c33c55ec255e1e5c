import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { BatchExchange } from "../src/batching/batch-exchange";
import { BatcherClosedError, type BatchOutcomes, createMicroBatcher } from "../src/batching/micro-batcher";

interface Item {
  merchant: string;
  id: string;
}

interface Flushed {
  key: string;
  ids: string[];
}

/** A batcher whose flush records its calls and answers `scored:<id>`, or what `answer` says. */
function recordingBatcher(
  options: {
    cap?: (key: string) => number;
    lingerMs?: number;
    maxHeld?: number;
    answer?: (key: string, items: readonly Item[]) => Promise<BatchOutcomes<string>>;
  } = {},
) {
  const flushed: Flushed[] = [];
  const batcher = createMicroBatcher<Item, string>({
    keyOf: (item) => item.merchant,
    cap: options.cap ?? (() => 3),
    lingerMs: options.lingerMs ?? 25,
    maxHeld: options.maxHeld,
    async flush(key, items) {
      flushed.push({ key, ids: items.map((i) => i.id) });
      if (options.answer) return options.answer(key, items);
      return items.map((i) => `scored:${i.id}`);
    },
  });
  return { batcher, flushed };
}

const item = (id: string, merchant = "m1"): Item => ({ merchant, id });

describe("micro-batcher", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends one batch as soon as the cap is reached, without waiting for the linger", async () => {
    const { batcher, flushed } = recordingBatcher({ cap: () => 3 });
    const results = Promise.all([
      batcher.submit(item("a")),
      batcher.submit(item("b")),
      batcher.submit(item("c")),
    ]);
    expect(await results).toEqual(["scored:a", "scored:b", "scored:c"]);
    expect(flushed).toEqual([{ key: "m1", ids: ["a", "b", "c"] }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("sends every partial batch at once when it holds maxHeld items, since no more can arrive", async () => {
    const { batcher, flushed } = recordingBatcher({ cap: () => 10, lingerMs: 1_000, maxHeld: 3 });
    const results = Promise.all([
      batcher.submit(item("a", "m1")),
      batcher.submit(item("b", "m2")),
      batcher.submit(item("c", "m1")),
    ]);
    // No timer advanced: the linger did not send these.
    expect(await results).toEqual(["scored:a", "scored:b", "scored:c"]);
    expect(flushed).toEqual([
      { key: "m1", ids: ["a", "c"] },
      { key: "m2", ids: ["b"] },
    ]);
  });

  it("does not count items in flight towards maxHeld: their answers free slots, so batches still linger", async () => {
    let release: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { batcher, flushed } = recordingBatcher({
      cap: () => 2,
      lingerMs: 1_000,
      maxHeld: 3,
      answer: async (_key, items) => {
        if (items[0]?.id === "a") await answered;
        return items.map((i) => `scored:${i.id}`);
      },
    });
    const full = Promise.all([batcher.submit(item("a")), batcher.submit(item("b"))]);
    // Two in flight plus this one waiting: the process holds three, but only one waits.
    const third = batcher.submit(item("c", "m2"));
    await Promise.resolve();
    expect(flushed.map((f) => f.ids)).toEqual([["a", "b"]]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await third).toBe("scored:c");
    release();
    expect(await full).toEqual(["scored:a", "scored:b"]);
  });

  it("sends a partial batch lingerMs after its first item", async () => {
    const { batcher, flushed } = recordingBatcher({ cap: () => 10, lingerMs: 25 });
    const first = batcher.submit(item("a"));
    vi.advanceTimersByTime(10);
    const second = batcher.submit(item("b"));
    vi.advanceTimersByTime(14);
    expect(flushed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(flushed).toEqual([{ key: "m1", ids: ["a", "b"] }]);
    expect(await Promise.all([first, second])).toEqual(["scored:a", "scored:b"]);
  });

  it("keeps keys apart: each key gets its own batches", async () => {
    const { batcher, flushed } = recordingBatcher({ cap: () => 2 });
    const results = Promise.all([
      batcher.submit(item("a", "m1")),
      batcher.submit(item("x", "m2")),
      batcher.submit(item("b", "m1")),
      batcher.submit(item("y", "m2")),
    ]);
    expect(await results).toEqual(["scored:a", "scored:x", "scored:b", "scored:y"]);
    expect(flushed).toEqual([
      { key: "m1", ids: ["a", "b"] },
      { key: "m2", ids: ["x", "y"] },
    ]);
  });

  it("fails only the submitter whose item got an error", async () => {
    const dropped = new Error("item b unanswered");
    const { batcher } = recordingBatcher({
      cap: () => 3,
      answer: async (_key, items) => items.map((i) => (i.id === "b" ? dropped : `scored:${i.id}`)),
    });
    const [a, b, c] = await Promise.allSettled([
      batcher.submit(item("a")),
      batcher.submit(item("b")),
      batcher.submit(item("c")),
    ]);
    expect(a).toEqual({ status: "fulfilled", value: "scored:a" });
    expect(b).toEqual({ status: "rejected", reason: dropped });
    expect(c).toEqual({ status: "fulfilled", value: "scored:c" });
  });

  it("rejects every item of a batch whose flush throws, with that error", async () => {
    const outage = new Error("503 from upstream");
    const { batcher } = recordingBatcher({
      cap: () => 2,
      answer: async () => {
        throw outage;
      },
    });
    const settled = await Promise.allSettled([batcher.submit(item("a")), batcher.submit(item("b"))]);
    expect(settled).toEqual([
      { status: "rejected", reason: outage },
      { status: "rejected", reason: outage },
    ]);
  });

  it("rejects every item when the flush answers a different number of outcomes", async () => {
    const { batcher } = recordingBatcher({ cap: () => 2, answer: async () => ["only one"] });
    const settled = await Promise.allSettled([batcher.submit(item("a")), batcher.submit(item("b"))]);
    for (const s of settled) {
      expect(s.status).toBe("rejected");
      expect(String((s as PromiseRejectedResult).reason)).toMatch(/1 outcomes for 2 items/);
    }
  });

  it("splits a batch when the cap was lowered while it accumulated (at the next submit)", async () => {
    let cap = 10;
    const { batcher, flushed } = recordingBatcher({ cap: () => cap });
    const submitted = ["a", "b", "c", "d"].map((id) => batcher.submit(item(id)));
    expect(flushed).toEqual([]);
    cap = 2; // a BatchTruncated answer taught a lower cap
    submitted.push(batcher.submit(item("e")));
    expect(await Promise.all(submitted)).toEqual(["a", "b", "c", "d", "e"].map((id) => `scored:${id}`));
    expect(flushed.map((f) => f.ids)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });

  it("splits a lingering batch when the cap was lowered before the linger ended", async () => {
    let cap = 10;
    const { batcher, flushed } = recordingBatcher({ cap: () => cap, lingerMs: 25 });
    const submitted = ["a", "b", "c"].map((id) => batcher.submit(item(id)));
    cap = 2;
    vi.advanceTimersByTime(25);
    await Promise.all(submitted);
    expect(flushed.map((f) => f.ids)).toEqual([["a", "b"], ["c"]]);
  });

  it("close() sends pending batches, waits for them, leaves no timer and refuses new items", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { batcher, flushed } = recordingBatcher({
      cap: () => 10,
      lingerMs: 60_000,
      answer: async (_key, items) => {
        await gate;
        return items.map((i) => `scored:${i.id}`);
      },
    });
    const pending = [batcher.submit(item("a", "m1")), batcher.submit(item("x", "m2"))];
    expect(vi.getTimerCount()).toBe(2);

    let closed = false;
    const closing = batcher.close().then(() => {
      closed = true;
    });
    expect(vi.getTimerCount()).toBe(0);
    expect(flushed).toEqual([
      { key: "m1", ids: ["a"] },
      { key: "m2", ids: ["x"] },
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false); // still waiting for the batches in flight
    release();
    await closing;
    expect(await Promise.all(pending)).toEqual(["scored:a", "scored:x"]);
    await expect(batcher.submit(item("late"))).rejects.toBeInstanceOf(BatcherClosedError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("drain() sends pending batches but keeps accepting items", async () => {
    const { batcher, flushed } = recordingBatcher({ cap: () => 10 });
    const first = batcher.submit(item("a"));
    await batcher.drain();
    expect(await first).toBe("scored:a");
    const second = batcher.submit(item("b"));
    vi.advanceTimersByTime(25);
    expect(await second).toBe("scored:b");
    expect(flushed.map((f) => f.ids)).toEqual([["a"], ["b"]]);
  });
});

describe("micro-batcher with an exchange", () => {
  it("sends the items itself when handing them to another process's batch fails, instead of dropping them", async () => {
    const flushed: string[][] = [];
    // Another process leads the key, and the hand-off fails (Redis refused or dropped the command).
    const exchange: BatchExchange<Item, string> = {
      lead: async () => undefined,
      handOff: async () => {
        throw new Error("Connection is closed.");
      },
      answer: async () => {},
      close: async () => {},
    };
    const batcher = createMicroBatcher<Item, string, string>({
      keyOf: (i) => i.merchant,
      cap: () => 2,
      lingerMs: 10,
      gate: async () => "permit",
      exchange,
      async flush(_key, items) {
        flushed.push(items.map((i) => i.id));
        return items.map((i) => `scored:${i.id}`);
      },
    });
    const results = Promise.all([batcher.submit(item("a")), batcher.submit(item("b"))]);
    // A dropped item never settles: its job would stay active for good.
    expect(await Promise.race([results, sleep(2_000).then(() => "never settled")])).toEqual([
      "scored:a",
      "scored:b",
    ]);
    expect(flushed).toEqual([["a", "b"]]);
    await batcher.close();
  });
});
