import type { Billing } from "@riskq/contracts";
import { useTestRedis } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import {
  checkDay,
  ledgerDayKey,
  PREFILTER_BUCKETS,
  readLedger,
  readRecordedTraffic,
  recordAnsweredCall,
  recordedDays,
  recordedDaysKey,
  recordLocalDecisions,
  recordLostCall,
  trafficDayKey,
  unitsOf,
  usdOf,
} from "../src/index";

const suite = useTestRedis({ url: process.env.REDIS_URL });
/** Late on a UTC day: the day is the UTC one, whatever the host's zone. */
const DAY1 = Date.parse("2026-11-20T23:59:59Z");
const DAY2 = Date.parse("2026-11-21T00:00:01Z");
const MERCHANT = "2088000000000001";
const OTHER = "2088000000000002";
const TASK = "card_risk";
const MODEL = "risk-v3-2026-11";

const billing = (call: string, items: string, review: string, total: string): Billing => ({
  call_fee: call,
  item_fees: items,
  review_fees: review,
  total,
  currency: "USD",
});

const options = (now: number) => ({ prefix: suite.redis.prefix, now });

describe("money in units of 0.0001 USD", () => {
  it("parses billing fields exactly and prints them back; refuses what it cannot hold exactly", () => {
    expect(unitsOf("0.0141")).toBe(141);
    expect(unitsOf("12.3")).toBe(123_000);
    expect(unitsOf("0")).toBe(0);
    // 0.1 + 0.2 style drift cannot happen: sums are integers.
    expect(unitsOf("0.0001") * 3).toBe(3);
    expect(usdOf(141)).toBe("0.0141");
    expect(usdOf(1_234_567.4)).toBe("123.4567");
    expect(() => unitsOf("0.00001")).toThrow(RangeError);
    expect(() => unitsOf("-1.0000")).toThrow(RangeError);
    expect(() => checkDay("2026-02-30")).toThrow(RangeError);
  });
});

describe("the ledger in Redis", () => {
  it("books answered calls per (day, merchant, task, model), in integer units, with a TTL and the day indexed", async () => {
    const { redis } = suite.redis;
    await recordAnsweredCall(redis, options(DAY1), {
      merchantId: MERCHANT,
      task: TASK,
      modelVersion: MODEL,
      billing: billing("0.0100", "0.0003", "0.0040", "0.0143"),
      itemsSent: 3,
      scored: [
        { confidence: 0.8123, flagged: true },
        { confidence: 0.57, flagged: false, prefilterBucket: PREFILTER_BUCKETS.legit },
        { confidence: 0.1, flagged: false },
      ],
      capBound: false,
    });
    // A silent drop: the call fee only, nothing answered.
    await recordAnsweredCall(redis, options(DAY1), {
      merchantId: MERCHANT,
      task: TASK,
      modelVersion: MODEL,
      billing: billing("0.0100", "0.0000", "0.0000", "0.0100"),
      itemsSent: 2,
      scored: [],
      capBound: false,
    });
    await recordAnsweredCall(redis, options(DAY2), {
      merchantId: OTHER,
      task: TASK,
      modelVersion: MODEL,
      billing: billing("0.0100", "0.0001", "0.0000", "0.0101"),
      itemsSent: 1,
      scored: [{ confidence: 0.2, flagged: false }],
      capBound: true,
    });

    const rows = await readLedger(redis, suite.redis.prefix);
    expect(rows.map((r) => [r.day, r.merchantId])).toEqual([
      ["2026-11-20", MERCHANT],
      ["2026-11-21", OTHER],
    ]);
    expect(rows[0]!.billed).toEqual({
      calls: 2,
      items: 5,
      answered: 3,
      flagged: 1,
      callUnits: 200,
      itemUnits: 3,
      reviewUnits: 40,
      totalUnits: 243,
    });
    expect(rows[0]!.estimated.calls).toBe(0);
    expect(await readLedger(redis, suite.redis.prefix, { from: "2026-11-21" })).toHaveLength(1);
    expect(await readLedger(redis, suite.redis.prefix, { merchantId: OTHER })).toHaveLength(1);
    expect(await recordedDays(redis, suite.redis.prefix, { to: "2026-11-20" })).toEqual(["2026-11-20"]);

    const day = "2026-11-20";
    const ttl = await redis.pttl(ledgerDayKey(suite.redis.prefix, day));
    expect(ttl).toBeGreaterThan(399 * 86_400_000);
    expect(ttl).toBeLessThanOrEqual(400 * 86_400_000);
    expect(await redis.pttl(trafficDayKey(suite.redis.prefix, day))).toBeGreaterThan(399 * 86_400_000);
    expect(await redis.pttl(recordedDaysKey(suite.redis.prefix))).toBeGreaterThan(399 * 86_400_000);
  });

  it("books a lost answer as an estimate, apart: call and item fees exact, review at the row's flagged share (worst case before any answer)", async () => {
    const { redis } = suite.redis;
    const key = { merchantId: MERCHANT, task: TASK, modelVersion: MODEL };
    // Nothing answered yet today: every item is assumed flagged.
    const worst = await recordLostCall(redis, options(DAY1), { ...key, itemsSent: 4, capBound: false });
    expect(worst).toBe(4 * 40);
    // 1 of 4 answered items flagged: a lost call of 10 items expects 2.5 flagged.
    await recordAnsweredCall(redis, options(DAY1), {
      ...key,
      billing: billing("0.0100", "0.0004", "0.0040", "0.0144"),
      itemsSent: 4,
      scored: [0.9, 0.1, 0.2, 0.3].map((c) => ({ confidence: c, flagged: c >= 0.7 })),
      capBound: false,
    });
    const expected = await recordLostCall(redis, options(DAY1), { ...key, itemsSent: 10, capBound: true });
    expect(expected).toBe(100);

    const [row] = await readLedger(redis, suite.redis.prefix);
    expect(row!.billed).toMatchObject({ calls: 1, items: 4, flagged: 1, totalUnits: 144 });
    expect(row!.estimated).toEqual({
      calls: 2,
      items: 14,
      flagged: 6.5,
      callUnits: 200,
      itemUnits: 14,
      reviewUnits: 260,
      totalUnits: 474,
    });
    // The lost calls were sent: they count in the traffic's call sizes.
    const traffic = await readRecordedTraffic(redis, suite.redis.prefix);
    expect(traffic.series[0]!.calls).toEqual([
      { items: 4, capBound: false, count: 2 },
      { items: 10, capBound: true, count: 1 },
    ]);
  });

  it("records traffic per (task, model): confidence bins by pre-filter bucket, flags, local decisions, call sizes, with the ledger's totals", async () => {
    const { redis } = suite.redis;
    const base = { task: TASK, modelVersion: MODEL, capBound: false };
    await recordAnsweredCall(redis, options(DAY1), {
      ...base,
      merchantId: MERCHANT,
      billing: billing("0.0100", "0.0003", "0.0040", "0.0143"),
      itemsSent: 3,
      scored: [
        { confidence: 0.57, flagged: false },
        { confidence: 0.7, flagged: true, prefilterBucket: PREFILTER_BUCKETS.fraud },
        { confidence: 1, flagged: false, prefilterBucket: PREFILTER_BUCKETS.legit },
      ],
    });
    await recordAnsweredCall(redis, options(DAY2), {
      ...base,
      merchantId: OTHER,
      billing: billing("0.0100", "0.0001", "0.0000", "0.0101"),
      itemsSent: 1,
      scored: [{ confidence: 0.5799, flagged: false }],
    });
    await recordAnsweredCall(redis, options(DAY2), {
      ...base,
      modelVersion: "risk-v3-2026-10",
      merchantId: OTHER,
      billing: billing("0.0100", "0.0001", "0.0000", "0.0101"),
      itemsSent: 1,
      scored: [{ confidence: 0.2, flagged: false }],
    });
    await recordLocalDecisions(redis, options(DAY2), {
      task: TASK,
      modelVersion: MODEL,
      bucket: PREFILTER_BUCKETS.legit,
      count: 7,
    });

    const traffic = await readRecordedTraffic(redis, suite.redis.prefix);
    expect(traffic.days).toEqual(["2026-11-20", "2026-11-21"]);
    expect(traffic.series.map((s) => s.modelVersion)).toEqual(["risk-v3-2026-10", MODEL]);
    const s = traffic.series[1]!;
    // 0.57 and 0.5799 share bin 57 (not 56, as 0.57 × 100 would give in floating point).
    expect(s.confidence[PREFILTER_BUCKETS.undecided]![57]).toBe(2);
    expect(s.confidence[PREFILTER_BUCKETS.fraud]![70]).toBe(1);
    expect(s.confidence[PREFILTER_BUCKETS.legit]![99]).toBe(1);
    expect(s.flagged).toEqual([0, 0, 1]);
    expect(s.local).toEqual([0, 7, 0]);
    expect(s.calls).toEqual([
      { items: 1, capBound: false, count: 1 },
      { items: 3, capBound: false, count: 1 },
    ]);
    expect(s.billed).toMatchObject({ calls: 2, items: 4, answered: 4, flagged: 1, totalUnits: 244 });

    const oneDay = await readRecordedTraffic(redis, suite.redis.prefix, {
      from: "2026-11-21",
      to: "2026-11-21",
    });
    expect(oneDay.series.find((x) => x.modelVersion === MODEL)?.billed.calls).toBe(1);
  });

  it("refuses key parts that would collide and unknown pre-filter buckets, writing nothing", async () => {
    const { redis } = suite.redis;
    const call = {
      merchantId: MERCHANT,
      task: TASK,
      modelVersion: MODEL,
      billing: billing("0.0100", "0.0001", "0.0000", "0.0101"),
      itemsSent: 1,
      capBound: false,
    };
    await expect(
      recordAnsweredCall(redis, options(DAY1), {
        ...call,
        modelVersion: "a|b",
        scored: [{ confidence: 0.2, flagged: false }],
      }),
    ).rejects.toThrow(RangeError);
    await expect(
      recordAnsweredCall(redis, options(DAY1), {
        ...call,
        scored: [{ confidence: 0.2, flagged: false, prefilterBucket: 7 }],
      }),
    ).rejects.toThrow(RangeError);
    expect(await recordedDays(redis, suite.redis.prefix)).toEqual([]);
  });

  it("forgets days past the retention in the index of recorded days", async () => {
    const { redis } = suite.redis;
    const call = {
      merchantId: MERCHANT,
      task: TASK,
      modelVersion: MODEL,
      billing: billing("0.0100", "0.0001", "0.0000", "0.0101"),
      itemsSent: 1,
      scored: [{ confidence: 0.2, flagged: false }],
      capBound: false,
    };
    await recordAnsweredCall(redis, { ...options(DAY1), retentionDays: 3 }, call);
    await recordAnsweredCall(redis, { ...options(DAY1 + 2 * 86_400_000), retentionDays: 3 }, call);
    expect(await recordedDays(redis, suite.redis.prefix)).toEqual(["2026-11-20", "2026-11-22"]);
    await recordAnsweredCall(redis, { ...options(DAY1 + 3 * 86_400_000), retentionDays: 3 }, call);
    expect(await recordedDays(redis, suite.redis.prefix)).toEqual(["2026-11-22", "2026-11-23"]);
  });
});
