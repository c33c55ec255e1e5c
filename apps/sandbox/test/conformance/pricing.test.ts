// Contract section 9: published prices, per-call billing and the ledger's running cost.
import { API_PATHS, pricingSchema, type ScoreResponse } from "@riskq/contracts";
import { generateMerchants, generateTraffic } from "@riskq/synthetic";
import { useSandbox } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import { apiError, makeItem, merchantClient, units, virtualNow } from "./harness";

const suite = useSandbox();
const FEES = { call: 100, item: 1, review: 40 }; // units of 0.0001 USD

function expectBillingFormula(res: ScoreResponse, itemsSent: number) {
  const flagged = res.results.filter((r) => r.flagged).length;
  const { billing } = res;
  for (const fee of [billing.call_fee, billing.item_fees, billing.review_fees, billing.total]) {
    expect(fee).toMatch(/^\d+\.\d{4}$/);
  }
  expect(units(billing.call_fee)).toBe(FEES.call);
  expect(units(billing.item_fees)).toBe(itemsSent * FEES.item);
  expect(units(billing.review_fees)).toBe(flagged * FEES.review);
  expect(units(billing.total)).toBe(FEES.call + itemsSent * FEES.item + flagged * FEES.review);
}

/** A realistic merchant and its traffic, from the same generator that feeds the sandbox. */
async function syntheticTraffic(count: number) {
  const sb = suite.sandbox;
  const [profile] = generateMerchants({ seed: 11, count: 1 });
  const client = await merchantClient(sb, profile!.merchant_id);
  const items = generateTraffic({ seed: 11, merchants: [profile!], count, start: await virtualNow(sb) }).map(
    (l) => l.item,
  );
  return { client, items };
}

describe("published pricing", () => {
  it("publishes the three fees in USD at GET pricing", async () => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.sdk.curl("GET", API_PATHS.pricing);
    const pricing = pricingSchema.parse(res.data);
    expect(units(pricing.call_fee)).toBe(FEES.call);
    expect(units(pricing.item_fee)).toBe(FEES.item);
    expect(units(pricing.review_fee)).toBe(FEES.review);
  });
});

describe("per-call billing", () => {
  it("bills call fee + items × item fee + flagged × review fee on every call", async () => {
    const { client, items } = await syntheticTraffic(120);
    const calls: Array<[ScoreResponse, number]> = [];
    calls.push([await client.predict({ items: [items[0]!] }), 1]);
    calls.push([await client.batch({ items: items.slice(1, 60), confidence_threshold: 0.3 }), 59]);
    calls.push([await client.batch({ items: items.slice(60, 120), confidence_threshold: 0.05 }), 60]);
    for (const [res, sent] of calls) expectBillingFormula(res, sent);
    expect(calls[2]![0].results.some((r) => r.flagged)).toBe(true);
  });

  it("costs more when the threshold is lowered on the same traffic", async () => {
    const sb = suite.sandbox;
    const bill = async (threshold: number) => {
      await sb.reset();
      const { client, items } = await syntheticTraffic(100);
      return (await client.batch({ items, confidence_threshold: threshold })).billing;
    };
    const strict = await bill(0.7);
    const lenient = await bill(0.3);
    expect(units(lenient.review_fees)).toBeGreaterThan(units(strict.review_fees));
    expect(units(lenient.total)).toBeGreaterThan(units(strict.total));
  });

  it("does not bill refused calls", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await apiError(client.predict({ items: [makeItem(client.merchantId, 1, { amount: "-1.00" })] }));
    await apiError(client.predict({ items: [makeItem(client.merchantId, 1)] }, "bogus-token"));
    const ledger = await sb.control.ledger();
    expect(ledger.cost_usd).toBe(0);
    expect(ledger.items).toBe(0);
  });
});

describe("ledger", () => {
  it("sums billed totals into cost_usd and counts calls, items and flagged items", async () => {
    const sb = suite.sandbox;
    const { client, items } = await syntheticTraffic(150);
    // /v3 calls so far: one token exchange and one key query.
    let v3Calls = 2;
    let totalUnits = 0;
    let flagged = 0;
    const record = (res: ScoreResponse) => {
      v3Calls += 1;
      totalUnits += units(res.billing.total);
      flagged += res.results.filter((r) => r.flagged).length;
    };
    record(await client.batch({ items: items.slice(0, 100), confidence_threshold: 0.5 }));
    record(await client.batch({ items: items.slice(100, 140) }));
    for (const item of items.slice(140, 150))
      record(await client.predict({ items: [item], confidence_threshold: 0.2 }));
    await client.sdk.curl("GET", API_PATHS.pricing);
    v3Calls += 1;

    const ledger = await sb.control.ledger();
    expect(Math.round(ledger.cost_usd * 10_000)).toBe(totalUnits);
    expect(ledger.calls).toBe(v3Calls);
    expect(ledger.items).toBe(150);
    expect(ledger.flagged).toBe(flagged);
    expect(ledger.by_status["200"]).toBe(v3Calls);
  });
});
