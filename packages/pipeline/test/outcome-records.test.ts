import type { ScoreJobResult } from "@riskq/contracts";
import { useTestRedis } from "@riskq/testing/vitest";
import { beforeEach, describe, expect, it } from "vitest";
import {
  coalescedRecords,
  completedRecord,
  deadRecord,
  decodeOutcome,
  encodeOutcome,
  OutcomeRecords,
} from "../src/index";

const suite = useTestRedis({ url: process.env.REDIS_URL });
const ID = "2088000000000001-order-1";
/** Now, per test: records are written at real times, since Redis expires their keys by its own clock. */
let T0 = Date.now();
beforeEach(() => {
  T0 = Date.now();
});

const result: ScoreJobResult = {
  item_id: "order-1",
  source: "remote",
  confidence: 0.873,
  risk_score: 87,
  risk_level: "high",
  flagged: true,
  info_code: ["velocity_spike"],
  model_version: "risk-v3-2026-11",
  cost_usd: 0.0012,
  attempts: 2,
};

const records = (ttlMs: number) =>
  new OutcomeRecords({ redis: suite.redis.redis, prefix: suite.redis.prefix, ttlMs });
const keysOf = () => suite.redis.redis.keys(`${suite.redis.prefix}:outcomes:*`);

describe("the record encoding", () => {
  it("keeps what a caller needs to see the outcome, in a few dozen bytes", () => {
    const degraded: ScoreJobResult = {
      ...result,
      source: "policy",
      decision: "review",
      degraded: true,
      degraded_reason: "circuit_open",
      confidence: null,
      risk_score: null,
      risk_level: null,
      flagged: null,
    };
    for (const record of [
      completedRecord(result, T0),
      completedRecord(degraded, T0),
      completedRecord({ ...result, source: "expired", model_version: null }, T0),
      deadRecord("rate_limited", T0),
    ]) {
      const text = encodeOutcome(record);
      expect(decodeOutcome(text)).toEqual(record);
      // Longest model version of the shape (64) aside, a record stays far under 100 bytes.
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(45);
    }
    expect(encodeOutcome(completedRecord(result, T0))).not.toContain("velocity_spike");
    expect(decodeOutcome("x123|nonsense")).toBeUndefined();
    expect(decodeOutcome("d1|no_such_reason")).toBeUndefined();
  });
});

describe("OutcomeRecords", () => {
  it("recalls records by job id in request order, undefined where none", async () => {
    const store = records(3_600_000);
    await store.remember(
      [
        { id: ID, record: completedRecord(result, T0) },
        { id: "2088000000000001-order-2", record: deadRecord("timeout", T0) },
      ],
      T0,
    );
    const [first, missing, second] = await store.recall(
      [ID, "2088000000000001-order-3", "2088000000000001-order-2"],
      T0 + 1_000,
    );
    expect(first).toEqual(completedRecord(result, T0));
    expect(missing).toBeUndefined();
    expect(second).toEqual(deadRecord("timeout", T0));
  });

  it("answers the newest version of a rewritten record, even from another bucket", async () => {
    const store = records(8_000);
    await store.remember([{ id: ID, record: deadRecord("timeout", T0) }], T0);
    // A redriven job that completes three buckets later.
    await store.remember([{ id: ID, record: completedRecord(result, T0 + 3_000) }], T0 + 3_000);
    expect((await store.recall([ID], T0 + 4_000))[0]?.status).toBe("completed");
  });

  it("forgets a record wherever it is", async () => {
    const store = records(8_000);
    await store.remember([{ id: ID, record: deadRecord("timeout", T0) }], T0);
    await store.remember([{ id: ID, record: deadRecord("timeout", T0 + 3_000) }], T0 + 3_000);
    expect(await store.forget([ID], T0 + 4_000)).toBe(2);
    expect(await store.recall([ID], T0 + 4_000)).toEqual([undefined]);
  });

  it("stops answering past the TTL, and Redis drops the keys a TTL and a bucket after their bucket", async () => {
    const ttlMs = 2_000;
    const store = records(ttlMs);
    const now = Date.now();
    await store.remember([{ id: ID, record: completedRecord(result, now) }], now);
    expect(await store.recall([ID], now + ttlMs)).toHaveLength(1);
    expect((await store.recall([ID], now + ttlMs))[0]).toBeDefined();
    expect(await store.recall([ID], now + ttlMs + 1)).toEqual([undefined]);
    const keys = await keysOf();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const pttl = await suite.redis.redis.pttl(key);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(ttlMs + ttlMs / 8);
    }
    // Redis itself deletes them (polled, bounded by the test's timeout).
    while ((await keysOf()).length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await store.recall([ID], Date.now())).toEqual([undefined]);
  });

  it("keeps each hash small enough for Redis's compact listpack encoding as a bucket fills", async () => {
    const store = records(3_600_000);
    const many = Array.from({ length: 5_000 }, (_, i) => ({
      id: `2088000000000001-item-${i}`,
      record: completedRecord(result, T0),
    }));
    for (let i = 0; i < many.length; i += 500) await store.remember(many.slice(i, i + 500), T0);
    const recalled = await store.recall(
      many.map((m) => m.id),
      T0,
    );
    expect(recalled.every((r) => r?.status === "completed")).toBe(true);
    // Redis's default hash-max-listpack-entries is 128 (this server's may be higher): every shard stays under it.
    const shards = (await keysOf()).filter((key) => /:\d+:\d+:\d+$/.test(key));
    expect(shards.length).toBeGreaterThan(16);
    for (const key of shards) expect(await suite.redis.redis.hlen(key)).toBeLessThanOrEqual(128);
  });
});

describe("records of jobs finishing together", () => {
  it("are written in one script call, and each writer resumes once its record is stored", async () => {
    const store = records(86_400_000);
    const calls: number[] = [];
    const counted = {
      remember: (batch: Parameters<OutcomeRecords["remember"]>[0], now: number) => {
        calls.push(batch.length);
        return store.remember(batch, now);
      },
    };
    const remember = coalescedRecords(counted);
    const ids = Array.from({ length: 40 }, (_, i) => `2088000000000001-together-${i}`);
    // As a batch's jobs do: all settle in one turn, each awaiting its own write.
    await Promise.all(
      ids.map(async (id) => {
        await remember(id, completedRecord(result, T0), T0);
        // Once resumed, the record is there.
        expect((await store.recall([id], T0))[0]?.status).toBe("completed");
      }),
    );
    expect(calls).toEqual([40]);
    // A later one goes on its own.
    await remember("2088000000000001-later", deadRecord("timeout", T0), T0);
    expect(calls).toEqual([40, 1]);
  });
});
