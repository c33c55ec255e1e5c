/**
 * Batches merged across processes through Redis: two micro-batchers, each with its own exchange
 * (as two worker processes would have), on one real Redis prefix. A leader that dies is played by
 * hand-written Redis state, since what matters is what the survivors do.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createTestRedis, type TestRedis } from "@riskq/testing";
import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BatchExchange } from "../src/batching/batch-exchange";
import { ItemWithdrawn } from "../src/batching/item-withdrawn";
import {
  type BatchOutcomes,
  createMicroBatcher,
  type GateContext,
  type MicroBatcher,
} from "../src/batching/micro-batcher";
import { createRedisBatchExchange } from "../src/batching/redis-batch-exchange";

interface Item {
  key: string;
  id: string;
  /** Epoch ms; the gate is told the earliest one of what a call will carry. */
  deadline?: number;
}

/** A gate that opens only when the test says so; `asked` holds the deadline of every ask. */
function manualGate() {
  const waiting: Array<() => void> = [];
  const asked: number[] = [];
  return {
    asked,
    gate: (_key: string, context: GateContext) => {
      asked.push(context.deadline);
      return new Promise<string>((resolve) => waiting.push(() => resolve("permit")));
    },
    open() {
      for (const resolve of waiting.splice(0)) resolve();
    },
    get waiting() {
      return waiting.length;
    },
  };
}

interface Process {
  batcher: MicroBatcher<Item, string>;
  exchange: BatchExchange<Item, string>;
  calls: string[][];
  gate: ReturnType<typeof manualGate>;
}

let testRedis: TestRedis;
const processes: Process[] = [];

beforeEach(async () => {
  testRedis = await createTestRedis({ url: process.env.REDIS_URL });
});

afterEach(async () => {
  for (const p of processes.splice(0)) {
    p.gate.open();
    await p.batcher.close();
    await p.exchange.close();
  }
  await testRedis.cleanup();
});

async function startProcess(
  name: string,
  options: {
    answer?: (items: readonly Item[]) => BatchOutcomes<string>;
    giveUpMs?: number;
    redis?: Redis;
    cap?: number;
    /** Items due sooner than this are late: not sent (micro-batcher's `minTimeLeftMs`). */
    minTimeLeftMs?: number;
  } = {},
): Promise<Process> {
  const exchange = await createRedisBatchExchange<Item, string>({
    redis: options.redis ?? testRedis.redis,
    prefix: testRedis.prefix,
    leaseMs: 600,
    checkEveryMs: 100,
    giveUpMs: options.giveUpMs ?? 5_000,
  });
  const calls: string[][] = [];
  const gate = manualGate();
  const batcher = createMicroBatcher<Item, string, string>({
    keyOf: (item) => item.key,
    cap: () => options.cap ?? 10,
    lingerMs: 20,
    gate: gate.gate,
    deadlineOf: (item) => item.deadline ?? Number.POSITIVE_INFINITY,
    ...(options.minTimeLeftMs === undefined ? {} : { minTimeLeftMs: () => options.minTimeLeftMs! }),
    exchange,
    async flush(_key, items) {
      calls.push(items.map((i) => i.id));
      return options.answer ? options.answer(items) : items.map((i) => `${name} scored ${i.id}`);
    },
  });
  const p = { batcher, exchange, calls, gate };
  processes.push(p);
  return p;
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const by = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > by) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * A connection whose hand-offs run twice, as ioredis makes them when the connection drops after
 * Redis ran the script but before its reply arrived: the client sends the command again on reconnect.
 */
function repeatingHandOffs(redis: Redis): { redis: Redis; runs: () => number } {
  let runs = 0;
  const proxy = new Proxy(redis, {
    get(target, property) {
      if (property === "eval") {
        return async (script: string, numKeys: number, ...args: (string | number)[]) => {
          if (!script.includes("RPUSH")) return target.eval(script, numKeys, ...args);
          await target.eval(script, numKeys, ...args);
          const answer = await target.eval(script, numKeys, ...args);
          runs += 2;
          return answer;
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { redis: proxy, runs: () => runs };
}

const leadKey = (key: string) => `${testRedis.prefix}:xbatch:lead:${key}`;
const itemsKey = (key: string) => `${testRedis.prefix}:xbatch:items:${key}`;

describe("batches merged across processes", () => {
  it("one call carries both processes' items of a key; the other process's jobs get its answers", async () => {
    const a = await startProcess("A");
    const b = await startProcess("B");
    const fromA = [a.batcher.submit({ key: "m1", id: "a1" }), a.batcher.submit({ key: "m1", id: "a2" })];
    // A leads m1 and waits for its permit.
    await until("A to wait for a permit", () => a.gate.waiting === 1);
    const fromB = [b.batcher.submit({ key: "m1", id: "b1" }), b.batcher.submit({ key: "m1", id: "b2" })];
    await until("B's items handed over", async () => (await testRedis.redis.llen(itemsKey("m1"))) === 2);
    a.gate.open();

    expect(await Promise.all(fromA)).toEqual(["A scored a1", "A scored a2"]);
    expect(await Promise.all(fromB)).toEqual(["A scored b1", "A scored b2"]);
    expect(a.calls).toEqual([["a1", "a2", "b1", "b2"]]);
    expect(b.calls).toEqual([]);
    // The lead was given up with nothing left behind.
    expect(await testRedis.redis.exists(leadKey("m1"), itemsKey("m1"))).toBe(0);
  });

  it("keys stay apart: another merchant's batch is not merged", async () => {
    const a = await startProcess("A");
    const b = await startProcess("B");
    const fromA = a.batcher.submit({ key: "m1", id: "a1" });
    await until("A to wait for a permit", () => a.gate.waiting === 1);
    const fromB = b.batcher.submit({ key: "m2", id: "b1" });
    await until("B to lead m2", () => b.gate.waiting === 1);
    a.gate.open();
    b.gate.open();
    expect([await fromA, await fromB]).toEqual(["A scored a1", "B scored b1"]);
    expect(a.calls).toEqual([["a1"]]);
    expect(b.calls).toEqual([["b1"]]);
  });

  it("an item the leader could not score goes back to its owner, which sends it itself", async () => {
    const a = await startProcess("A", {
      answer: (items) => items.map((i) => (i.id === "b2" ? new Error("not answered") : `A scored ${i.id}`)),
    });
    const b = await startProcess("B");
    const fromA = a.batcher.submit({ key: "m1", id: "a1" });
    await until("A to wait for a permit", () => a.gate.waiting === 1);
    const fromB = [b.batcher.submit({ key: "m1", id: "b1" }), b.batcher.submit({ key: "m1", id: "b2" })];
    await until("B's items handed over", async () => (await testRedis.redis.llen(itemsKey("m1"))) === 2);
    a.gate.open();
    expect(await fromA).toBe("A scored a1");
    expect(await fromB[0]).toBe("A scored b1");
    // B gates and sends the returned item on its own.
    await until("B to wait for a permit", () => b.gate.waiting === 1);
    b.gate.open();
    expect(await fromB[1]).toBe("B scored b2");
    expect(b.calls).toEqual([["b2"]]);
  });

  it("a hand-off the Redis client repeats after a reconnect (its reply was lost) is handed over once", async () => {
    const a = await startProcess("A");
    const repeating = repeatingHandOffs(testRedis.redis);
    const b = await startProcess("B", { redis: repeating.redis });
    const fromA = a.batcher.submit({ key: "m1", id: "a1" });
    await until("A to wait for a permit", () => a.gate.waiting === 1);
    const fromB = [b.batcher.submit({ key: "m1", id: "b1" }), b.batcher.submit({ key: "m1", id: "b2" })];
    await until("both runs of B's hand-off", () => repeating.runs() === 2);
    a.gate.open();
    expect(await fromA).toBe("A scored a1");
    expect(await Promise.all(fromB)).toEqual(["A scored b1", "A scored b2"]);
    // Once each: a call that repeats an item is refused by Alipay as a whole.
    expect(a.calls).toEqual([["a1", "b1", "b2"]]);
    expect(b.calls).toEqual([]);
  });

  it("a lead asks for each next permit with the deadline of the oldest item handed to it, like any batch", async () => {
    // Cap 1: each call carries one item, so the lead asks once per item.
    const a = await startProcess("A", { cap: 1 });
    const b = await startProcess("B", { cap: 1 });
    const soon = Date.now() + 60_000;
    const fromA = a.batcher.submit({ key: "m1", id: "a1", deadline: soon + 5_000 });
    await until("A to wait for a permit", () => a.gate.waiting === 1);
    const fromB = [
      b.batcher.submit({ key: "m1", id: "b1", deadline: soon + 1_000 }),
      b.batcher.submit({ key: "m1", id: "b2", deadline: soon + 2_000 }),
    ];
    await until("B's items handed over", async () => (await testRedis.redis.llen(itemsKey("m1"))) === 2);
    a.gate.open();
    await until("A to ask for b1", () => a.gate.waiting === 1);
    a.gate.open();
    await until("A to ask for b2", () => a.gate.waiting === 1);
    a.gate.open();
    expect(await fromA).toBe("A scored a1");
    expect(await Promise.all(fromB)).toEqual(["A scored b1", "A scored b2"]);
    // Its own item's deadline, then each handed item's own: never a stand-in that jumps the line.
    expect(a.gate.asked).toEqual([soon + 5_000, soon + 1_000, soon + 2_000]);
    expect(a.calls).toEqual([["a1"], ["b1"], ["b2"]]);
    // Nothing left: the lead was given up without asking for a permit it would not use.
    await until("the lead given up", async () => (await testRedis.redis.exists(leadKey("m1"))) === 0);
    expect(a.gate.asked).toHaveLength(3);
  });

  it("a lead's call takes the handed items first when they are due before its own, however many of its own keep coming", async () => {
    const a = await startProcess("A", { cap: 2 });
    const b = await startProcess("B", { cap: 2 });
    const soon = Date.now() + 60_000;
    const fromA = [a.batcher.submit({ key: "m1", id: "a1", deadline: soon + 5_000 })];
    await until("A to wait for a permit", () => a.gate.waiting === 1);
    const fromB = [
      b.batcher.submit({ key: "m1", id: "b1", deadline: soon + 1_000 }),
      b.batcher.submit({ key: "m1", id: "b2", deadline: soon + 1_000 }),
    ];
    await until("B's items handed over", async () => (await testRedis.redis.llen(itemsKey("m1"))) === 2);
    // A's workers fetch more of the merchant's jobs meanwhile, all due later than B's.
    fromA.push(
      a.batcher.submit({ key: "m1", id: "a3", deadline: soon + 5_000 }),
      a.batcher.submit({ key: "m1", id: "a4", deadline: soon + 5_000 }),
    );
    a.gate.open();
    await until("A to ask for B's items", () => a.gate.waiting === 1);
    a.gate.open();
    await until("A to ask for the rest of its own", () => a.gate.waiting === 1);
    a.gate.open();
    await Promise.all([...fromA, ...fromB]);
    // The first ask knew of nothing handed; the second is B's, and its call carries B's items only.
    expect(a.gate.asked).toEqual([soon + 5_000, soon + 1_000, soon + 5_000]);
    expect(a.calls).toEqual([["a1", "a3"], ["b1", "b2"], ["a4"]]);
  });

  it("a lead sends no handed item too late to be answered in time: it goes back, and its owner withdraws it", async () => {
    const a = await startProcess("A", { minTimeLeftMs: 10_000 });
    const b = await startProcess("B", { minTimeLeftMs: 10_000 });
    const later = Date.now() + 60_000;
    const fromA = a.batcher.submit({ key: "m1", id: "a1", deadline: later });
    await until("A to wait for a permit", () => a.gate.waiting === 1);
    // b1's deadline leaves less than a call's time once A's permit comes; b2's leaves plenty;
    // b1's rejection is caught as it happens: it may come while the test awaits the others.
    const b1Outcome = b.batcher
      .submit({ key: "m1", id: "b1", deadline: Date.now() + 5_000 })
      .catch((e: unknown) => e);
    const fromB2 = b.batcher.submit({ key: "m1", id: "b2", deadline: later });
    await until("B's items handed over", async () => (await testRedis.redis.llen(itemsKey("m1"))) === 2);
    a.gate.open();
    expect(await fromA).toBe("A scored a1");
    expect(await fromB2).toBe("A scored b2");
    expect(await b1Outcome).toEqual(new ItemWithdrawn("gating"));
    // Billed for nothing had it been sent; and B asked for no permit of its own to send it.
    expect(a.calls).toEqual([["a1", "b2"]]);
    expect(b.calls).toEqual([]);
    expect(b.gate.asked).toEqual([]);
  });

  it("items handed to a leader that vanished before taking them are taken back and sent by their owner", async () => {
    const b = await startProcess("B");
    // A leader that will never take anything (its process died), its lease running out soon.
    await testRedis.redis.set(leadKey("m1"), "dead-process", "PX", 300);
    const fromB = b.batcher.submit({ key: "m1", id: "b1" });
    await until("B's item handed over", async () => (await testRedis.redis.llen(itemsKey("m1"))) === 1);
    await until("B to wait for a permit", () => b.gate.waiting === 1);
    expect(await testRedis.redis.llen(itemsKey("m1"))).toBe(0);
    b.gate.open();
    expect(await fromB).toBe("B scored b1");
    expect(b.calls).toEqual([["b1"]]);
  });

  it("items a leader took and never answered (it died mid-call) are sent by their owner after giveUpMs", async () => {
    const b = await startProcess("B", { giveUpMs: 400 });
    await testRedis.redis.set(leadKey("m1"), "dying-process", "PX", 5_000);
    const fromB = b.batcher.submit({ key: "m1", id: "b1" });
    await until("B's item handed over", async () => (await testRedis.redis.llen(itemsKey("m1"))) === 1);
    // The dying leader takes the item, then neither answers nor gives the lead up.
    expect(await testRedis.redis.lpop(itemsKey("m1"))).toContain('"b1"');
    await until("B to wait for a permit", () => b.gate.waiting === 1);
    b.gate.open();
    expect(await fromB).toBe("B scored b1");
  });

  it("a closing process hands nothing over and leaves no lead behind", async () => {
    const a = await startProcess("A");
    const fromA = a.batcher.submit({ key: "m1", id: "a1" });
    await until("A to wait for a permit", () => a.gate.waiting === 1);
    const closing = a.batcher.close();
    a.gate.open();
    await closing;
    expect(await fromA).toBe("A scored a1");
    expect(await testRedis.redis.exists(leadKey("m1"))).toBe(0);
  });
});
