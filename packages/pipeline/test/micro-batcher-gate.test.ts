import { describe, expect, it } from "vitest";
import { createMicroBatcher } from "../src/batching/micro-batcher";

/** A gate the test opens by hand, like a rate-limiter permit that takes a while. */
function manualGate() {
  const opens: Array<(ticket: number) => void> = [];
  let issued = 0;
  return {
    gate: () =>
      new Promise<number>((resolve) => {
        issued += 1;
        opens.push(resolve);
      }),
    open: () => opens.shift()!(issued),
    get waiting() {
      return opens.length;
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("micro-batcher with a gate (rate-limiter permit)", () => {
  it("keeps filling a due batch while its gate is closed, up to the cap, and passes the ticket", async () => {
    const gate = manualGate();
    const sent: Array<{ items: number[]; ticket: number }> = [];
    const batcher = createMicroBatcher<number, number, number>({
      keyOf: () => "k",
      cap: () => 4,
      lingerMs: 1,
      gate: gate.gate,
      flush: async (_key, items, ticket) => {
        sent.push({ items: [...items], ticket });
        return items.map((i) => i * 10);
      },
    });
    const results = [batcher.submit(1)];
    await new Promise((resolve) => setTimeout(resolve, 10)); // linger over: the batch is due, gate closed
    expect(gate.waiting).toBe(1);
    for (const i of [2, 3, 4, 5, 6]) results.push(batcher.submit(i));
    gate.open();
    await tick();
    // The first call carries a full cap; the rest lingers what is left of its linger (they had just
    // arrived), then becomes the next due batch, waiting for its own gate.
    expect(sent).toEqual([{ items: [1, 2, 3, 4], ticket: 1 }]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(gate.waiting).toBe(1);
    gate.open();
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(sent[1]).toEqual({ items: [5, 6], ticket: 2 });
  });

  it("fails the items a rejected gate would have sent, and only those", async () => {
    let calls = 0;
    const batcher = createMicroBatcher<number, number, number>({
      keyOf: () => "k",
      cap: () => 2,
      lingerMs: 1,
      gate: async () => {
        calls += 1;
        if (calls === 1) throw new Error("aborted");
        return calls;
      },
      flush: async (_key, items) => items.map((i) => i),
    });
    const outcomes = await Promise.allSettled([1, 2, 3].map((i) => batcher.submit(i)));
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "fulfilled"]);
    await batcher.close();
  });
});
