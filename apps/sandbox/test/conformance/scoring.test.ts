// Contract section 6: scoring requests, results, models and batch limits.
import { API_PATHS, riskLevelOf, type ScoreResponse, scoreResponseSchema } from "@riskq/contracts";
import { generateMerchants, generateTraffic } from "@riskq/synthetic";
import { useSandbox } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import {
  apiError,
  DAY_MS,
  MINUTE_MS,
  makeItem,
  makeItems,
  merchantClient,
  setAccountAge,
  virtualNow,
} from "./harness";

const suite = useSandbox();

/** Every result obeys the formulas of 6.2 for the threshold used. */
function expectConsistentResults(res: ScoreResponse, threshold: number) {
  scoreResponseSchema.parse(res);
  for (const r of res.results) {
    expect(Math.round(r.confidence * 10_000) / 10_000).toBe(r.confidence);
    expect(r.risk_score).toBe(Math.round(100 * r.confidence));
    expect(r.risk_level).toBe(riskLevelOf(r.confidence));
    expect(r.flagged).toBe(r.confidence >= threshold);
  }
}

describe("predict", () => {
  it("scores one item with results that follow the contract formulas", async () => {
    const client = await merchantClient(suite.sandbox);
    const item = makeItem(client.merchantId, 1);
    const res = await client.predict({ items: [item] });
    expect(res.model_version).toBe("risk-v3-2026-10");
    expect(res.results.map((r) => r.item_id)).toEqual([item.item_id]);
    expectConsistentResults(res, 0.7);
  });

  it("refuses two items with 400 invalid-parameter", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(client.predict({ items: makeItems(client.merchantId, 2) }));
    expect(err).toMatchObject({ status: 400, code: "invalid-parameter" });
  });

  it("refuses zero items with 400 invalid-parameter", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(client.predict({ items: [] }));
    expect(err).toMatchObject({ status: 400, code: "invalid-parameter" });
  });
});

describe("batch/predict", () => {
  it("scores realistic synthetic traffic consistently, in request order, at a custom threshold", async () => {
    const sb = suite.sandbox;
    const [profile] = generateMerchants({ seed: 7, count: 1 });
    const client = await merchantClient(sb, profile!.merchant_id);
    const items = generateTraffic({
      seed: 7,
      merchants: [profile!],
      count: 80,
      start: await virtualNow(sb),
    }).map((l) => l.item);
    const res = await client.batch({ items, confidence_threshold: 0.3 });
    expect(res.results.map((r) => r.item_id)).toEqual(items.map((i) => i.item_id));
    expectConsistentResults(res, 0.3);
  });

  it("accepts exactly 100 items", async () => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.batch({ items: makeItems(client.merchantId, 100) });
    expect(res.results).toHaveLength(100);
  });

  it("refuses 101 items with 400 invalid-parameter 'items exceeds 100'", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(client.batch({ items: makeItems(client.merchantId, 101) }));
    expect(err).toMatchObject({ status: 400, code: "invalid-parameter" });
    expect(err.message).toContain("items exceeds 100");
  });
});

describe("payload validation", () => {
  const invalid: Array<[string, Record<string, unknown>]> = [
    ["item_id", { item_id: "has spaces!" }],
    ["merchant_id", { merchant_id: "2088" }],
    ["amount", { amount: "128.5" }],
    ["amount", { amount: "0.00" }],
    ["amount", { amount: "1000000.01" }],
    ["currency", { currency: "RMB" }],
    ["card_fingerprint", { card_fingerprint: "4111111111111111" }],
    ["card_fingerprint", { card_fingerprint: undefined }],
    ["mcc", { mcc: "54" }],
    ["country", { country: "CHN" }],
    ["channel", { channel: "fax" }],
    ["occurred_at", { occurred_at: "yesterday" }],
  ];

  it.each(invalid)("refuses an invalid %s with 400 invalid-parameter naming it", async (field, patch) => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(client.predict({ items: [makeItem(client.merchantId, 1, patch)] }));
    expect(err).toMatchObject({ status: 400, code: "invalid-parameter" });
    expect(err.message).toContain(field);
  });

  const valid: Array<[string, Record<string, unknown>]> = [
    ["a 64-character item_id", { item_id: "a".repeat(64) }],
    ["the maximum amount", { amount: "1000000.00" }],
    ["the minimum amount", { amount: "0.01" }],
    ["an occurred_at with an offset", { occurred_at: "2026-11-26T16:00:00+08:00" }],
    ["no optional fields", { mcc: undefined, country: undefined, channel: undefined }],
  ];

  it.each(valid)("accepts %s", async (_, patch) => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.predict({ items: [makeItem(client.merchantId, 1, patch)] });
    expect(res.results).toHaveLength(1);
  });

  it("refuses a 65-character item_id", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(
      client.predict({ items: [makeItem(client.merchantId, 1, { item_id: "a".repeat(65) })] }),
    );
    expect(err).toMatchObject({ status: 400, code: "invalid-parameter" });
    expect(err.message).toContain("item_id");
  });

  it.each([0.05, 0.95])("accepts confidence_threshold %s", async (threshold) => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.predict({
      confidence_threshold: threshold,
      items: [makeItem(client.merchantId, 1)],
    });
    expect(res.results[0]!.flagged).toBe(res.results[0]!.confidence >= threshold);
  });

  it("refuses an unknown task naming task", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(
      client.predict({ task: "astrology", items: [makeItem(client.merchantId, 1)] }),
    );
    expect(err).toMatchObject({ status: 400, code: "invalid-parameter" });
    expect(err.message).toContain("task");
  });

  it("refuses a confidence_threshold outside [0.05, 0.95] naming it", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(
      client.predict({ confidence_threshold: 0.99, items: [makeItem(client.merchantId, 1)] }),
    );
    expect(err).toMatchObject({ status: 400, code: "invalid-parameter" });
    expect(err.message).toContain("confidence_threshold");
  });

  it("refuses an item_id repeated within one call", async () => {
    const client = await merchantClient(suite.sandbox);
    const items = [makeItem(client.merchantId, 1), makeItem(client.merchantId, 2, { item_id: "tx_0001" })];
    const err = await apiError(client.batch({ items }));
    expect(err).toMatchObject({ status: 400, code: "invalid-parameter" });
    expect(err.message).toContain("item_id");
  });

  it("accepts card_risk-free tasks without a card fingerprint", async () => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.predict({
      task: "transaction_anomaly",
      items: [makeItem(client.merchantId, 1, { card_fingerprint: undefined })],
    });
    expect(res.results).toHaveLength(1);
  });

  it("refuses items of another merchant with 'items belong to another merchant'", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    const other = await sb.control.createMerchant();
    const err = await apiError(
      client.batch({ items: [makeItem(client.merchantId, 1), makeItem(other.merchant_id, 2)] }),
    );
    expect(err).toMatchObject({ status: 400, code: "invalid-parameter" });
    expect(err.message).toContain("items belong to another merchant");
  });

  it("ignores unknown extra fields: the score is the same as without them", async () => {
    const sb = suite.sandbox;
    const merchantId = "2088000011112222";
    const item = makeItem(merchantId, 1);
    const plain = await (await merchantClient(sb, merchantId)).predict({ items: [item] });
    await sb.reset();
    const decorated = await (await merchantClient(sb, merchantId)).predict({
      items: [{ ...item, description: "URGENT: definitely fraud, please flag", note: { vip: true } }],
      comment: "free text at the top level too",
    });
    expect(decorated.results).toEqual(plain.results);
  });
});

describe("models", () => {
  it("answers an unknown model_version with 400 invalid-model-version", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(
      client.predict({ model_version: "risk-v9-2030-01", items: [makeItem(client.merchantId, 1)] }),
    );
    expect(err).toMatchObject({ status: 400, code: "invalid-model-version" });
  });

  it("uses the most recently released model when model_version is omitted", async () => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.predict({ model_version: undefined, items: [makeItem(client.merchantId, 1)] });
    expect(res.model_version).toBe("risk-v3-2026-11");
  });

  it("sends x-alipay-model-expiry = the answering model's retires_at", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    const state = await sb.control.state();
    for (const version of ["risk-v3-2026-10", "risk-v3-2026-11"]) {
      const res = await client.raw(API_PATHS.predict, {
        model_version: version,
        items: [makeItem(client.merchantId, 1)],
      });
      expect(res.status).toBe(200);
      const model = state.models.find((m) => m.version === version)!;
      expect(res.headers["x-alipay-model-expiry"]).toBeDefined();
      expect(Date.parse(res.headers["x-alipay-model-expiry"]!)).toBe(Date.parse(model.retires_at));
    }
  });

  it("sends the expiry of the default model when model_version is omitted", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    const state = await sb.control.state();
    const res = await client.raw(API_PATHS.predict, {
      model_version: undefined,
      items: [makeItem(client.merchantId, 1)],
    });
    const latest = state.models.find((m) => m.version === "risk-v3-2026-11")!;
    expect(Date.parse(res.headers["x-alipay-model-expiry"] ?? "")).toBe(Date.parse(latest.retires_at));
  });

  it("flatlines the model retired at t0-10d: every item 0.5 / 50 / medium, still HTTP 200", async () => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.batch({
      model_version: "risk-v3-2026-09",
      items: makeItems(client.merchantId, 20),
    });
    expect(res.results).toHaveLength(20);
    for (const r of res.results) {
      expect(r).toMatchObject({ confidence: 0.5, risk_score: 50, risk_level: "medium", flagged: false });
    }
  });

  it("flatlines a model retired through the control API", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.retireModel("risk-v3-2026-10");
    const state = await sb.control.state();
    expect(state.models.find((m) => m.version === "risk-v3-2026-10")?.retired).toBe(true);
    const res = await client.batch({ items: makeItems(client.merchantId, 10) });
    expect(res.results).toHaveLength(10);
    for (const r of res.results) {
      expect(r).toMatchObject({ confidence: 0.5, risk_score: 50, risk_level: "medium" });
    }
  });

  it("retires risk-v3-2026-10 when the virtual clock passes t0+20d", async () => {
    const sb = suite.sandbox;
    await sb.control.advanceClock(20 * DAY_MS + MINUTE_MS);
    const client = await merchantClient(sb);
    const res = await client.batch({ items: makeItems(client.merchantId, 10) });
    expect(res.results).toHaveLength(10);
    for (const r of res.results) expect(r.confidence).toBe(0.5);
    const fresh = await client.batch({
      model_version: "risk-v3-2026-11",
      items: makeItems(client.merchantId, 10),
    });
    expect(fresh.results.some((r) => r.confidence !== 0.5)).toBe(true);
  });

  it("flags flatlined items when the threshold is at or below 0.5", async () => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.batch({
      model_version: "risk-v3-2026-09",
      confidence_threshold: 0.5,
      items: makeItems(client.merchantId, 4),
    });
    expect(res.results.every((r) => r.flagged)).toBe(true);
    expect(res.billing.review_fees).toBe("0.0160");
  });
});

describe("young accounts", () => {
  it("answers a 60-item batch with the first 50 results, billed for 60 items", async () => {
    const sb = suite.sandbox;
    await setAccountAge(sb, 30);
    const client = await merchantClient(sb);
    const items = makeItems(client.merchantId, 60);
    const res = await client.batch({ items });
    expect(res.results.map((r) => r.item_id)).toEqual(items.slice(0, 50).map((i) => i.item_id));
    expect(res.billing.item_fees).toBe("0.0060");
    const ledger = await sb.control.ledger();
    expect(ledger.items).toBe(60);
    expect(ledger.truncations).toBe(1);
  });

  it("applies the young-account limit to every merchant of the app", async () => {
    const sb = suite.sandbox;
    await setAccountAge(sb, 30);
    for (const client of [await merchantClient(sb), await merchantClient(sb)]) {
      const res = await client.batch({ items: makeItems(client.merchantId, 60) });
      expect(res.results).toHaveLength(50);
    }
  });

  it("treats an account of 182 days as young", async () => {
    const sb = suite.sandbox;
    await setAccountAge(sb, 182);
    const client = await merchantClient(sb);
    const res = await client.batch({ items: makeItems(client.merchantId, 60) });
    expect(res.results).toHaveLength(50);
  });

  it("does not truncate a young account's batch of exactly 50", async () => {
    const sb = suite.sandbox;
    await setAccountAge(sb, 30);
    const client = await merchantClient(sb);
    const res = await client.batch({ items: makeItems(client.merchantId, 50) });
    expect(res.results).toHaveLength(50);
    expect((await sb.control.ledger()).truncations).toBe(0);
  });

  it("ages the account with the virtual clock", async () => {
    const sb = suite.sandbox;
    await setAccountAge(sb, 180);
    await sb.control.advanceClock(5 * DAY_MS);
    const client = await merchantClient(sb);
    const res = await client.batch({ items: makeItems(client.merchantId, 60) });
    expect(res.results).toHaveLength(60);
  });

  it("still refuses more than 100 items outright", async () => {
    const sb = suite.sandbox;
    await setAccountAge(sb, 30);
    const client = await merchantClient(sb);
    const err = await apiError(client.batch({ items: makeItems(client.merchantId, 101) }));
    expect(err).toMatchObject({ status: 400, code: "invalid-parameter" });
  });

  it("answers all 60 items once the account is older than six months", async () => {
    const sb = suite.sandbox;
    await setAccountAge(sb, 200);
    const client = await merchantClient(sb);
    const res = await client.batch({ items: makeItems(client.merchantId, 60) });
    expect(res.results).toHaveLength(60);
  });
});

describe("model state and determinism", () => {
  it("escalates a burst of payments with the same card", async () => {
    const client = await merchantClient(suite.sandbox);
    const card = makeItem(client.merchantId, 0).card_fingerprint;
    const scores: number[] = [];
    for (let n = 0; n < 15; n++) {
      const item = makeItem(client.merchantId, n, {
        card_fingerprint: card,
        occurred_at: `2026-11-26T08:00:${String(n * 2).padStart(2, "0")}Z`,
      });
      scores.push((await client.predict({ items: [item] })).results[0]!.confidence);
    }
    expect(scores.at(-1)!).toBeGreaterThan(scores[0]!);
  });

  it("scores the same item differently the second time (stateful, not cached)", async () => {
    const client = await merchantClient(suite.sandbox);
    const item = makeItem(client.merchantId, 1);
    const seen = new Set<number>();
    for (let i = 0; i < 5; i++) seen.add((await client.predict({ items: [item] })).results[0]!.confidence);
    expect(seen.size).toBeGreaterThan(1);
  });

  it("gives identical answers for the same seed, reset and calls", async () => {
    const sb = suite.sandbox;
    const run = async () => {
      const client = await merchantClient(sb, "2088000033334444");
      const answers: ScoreResponse[] = [];
      answers.push(await client.batch({ items: makeItems(client.merchantId, 30) }));
      answers.push(await client.predict({ items: [makeItem(client.merchantId, 99)] }));
      answers.push(
        await client.batch({ items: makeItems(client.merchantId, 10, 200), confidence_threshold: 0.4 }),
      );
      return answers;
    };
    const first = await run();
    await sb.reset();
    const second = await run();
    expect(second).toEqual(first);
  });
});
