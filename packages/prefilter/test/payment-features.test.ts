import type { ScoreItem } from "@riskq/contracts";
import { describe, expect, it } from "vitest";
import { createFeatureExtractor, cstHourOf, type FeatureSpace } from "../src/index";

const SPACE: FeatureSpace = {
  currencies: ["CNY", "HKD"],
  countries: ["CN", "HK", "NG"],
  mccs: ["5411", "6051"],
  home_country: { CNY: "CN", HKD: "HK" },
  // HKD amounts run log(1.1) higher than CNY ones.
  currency_offsets: { CNY: 0, HKD: Math.log(1.1) },
  amount_norms: { "5411": { median: Math.log(30), scale: 0.5 }, "*": { median: Math.log(100), scale: 1 } },
};

const ITEM: ScoreItem = {
  item_id: "tx_1",
  merchant_id: "2088000000000001",
  amount: "30.00",
  currency: "CNY",
  card_fingerprint: "a".repeat(64),
  mcc: "5411",
  country: "CN",
  channel: "app",
  // 08:00 UTC is 16:00 in China Standard Time.
  occurred_at: "2026-11-26T08:00:00Z",
};

const extractor = createFeatureExtractor(SPACE);

function featuresOf(item: ScoreItem): Record<string, number> {
  const out = extractor.extract(item);
  if ("outOfDistribution" in out) throw new Error(`out of distribution: ${out.outOfDistribution}`);
  return Object.fromEntries(out.names.map((name, i) => [name, out.values[i] as number]));
}

describe("payment features", () => {
  it("a usual amount at home: z 0, no big-ticket or probe signal, one-hot fields and the CST hour", () => {
    expect(featuresOf(ITEM)).toEqual({
      amount_z: 0,
      amount_big: 0,
      amount_probe: 0,
      "currency:CNY": 1,
      "country:CN": 1,
      "mcc:5411": 1,
      "channel:app": 1,
      "hour:16": 1,
    });
  });

  it("measures the amount in spreads of its MCC's norm, after the currency's offset", () => {
    // e² × usual, in HKD: z = (log(30·1.1·e²) − log 1.1 − log 30) / 0.5 = 4.
    const big = featuresOf({
      ...ITEM,
      currency: "HKD",
      country: "HK",
      amount: (30 * 1.1 * Math.E ** 2).toFixed(2),
    });
    expect(big.amount_z).toBeCloseTo(4, 3);
    expect(big.amount_big).toBeCloseTo(3, 3);
    expect(big.amount_probe).toBe(0);
    // A twentieth of the usual: z = log(1/20)/0.5 ≈ −5.99, probe = −z − 1.5.
    const probe = featuresOf({ ...ITEM, amount: "1.50" });
    expect(probe.amount_z).toBeCloseTo(Math.log(1 / 20) / 0.5, 6);
    expect(probe.amount_probe).toBeCloseTo(-Math.log(1 / 20) / 0.5 - 1.5, 6);
    expect(probe.amount_big).toBe(0);
  });

  it("falls back to the all-MCC norm when the item has no MCC, and says so with mcc:none", () => {
    const { mcc: _, ...noMcc } = ITEM;
    const features = featuresOf({ ...noMcc, amount: "100.00" });
    expect(features.amount_z).toBeCloseTo(0, 9);
    expect(features["mcc:none"]).toBe(1);
  });

  it("marks a country other than the currency's home as foreign, and missing fields as none", () => {
    expect(featuresOf({ ...ITEM, country: "NG" }).foreign).toBe(1);
    expect(featuresOf({ ...ITEM, country: "HK" }).foreign).toBe(1);
    const { country: _c, channel: _ch, ...bare } = ITEM;
    const features = featuresOf(bare);
    expect(features.foreign).toBeUndefined();
    expect(features["country:none"]).toBe(1);
    expect(features["channel:none"]).toBe(1);
  });

  it("refuses to judge what training never saw: no card fingerprint, or an unknown currency, country or MCC", () => {
    const { card_fingerprint: _, ...noCard } = ITEM;
    expect(extractor.extract(noCard)).toEqual({ outOfDistribution: "no_card_fingerprint" });
    expect(extractor.extract({ ...ITEM, currency: "JPY" })).toEqual({
      outOfDistribution: "unknown_currency",
    });
    expect(extractor.extract({ ...ITEM, country: "FR" })).toEqual({ outOfDistribution: "unknown_country" });
    expect(extractor.extract({ ...ITEM, mcc: "5999" })).toEqual({ outOfDistribution: "unknown_mcc" });
  });

  it("names every feature it can produce, each once", () => {
    expect(new Set(extractor.names).size).toBe(extractor.names.length);
    expect(extractor.names).toContain("hour:23");
    expect(extractor.names).toContain("currency:HKD");
  });

  it("reads the hour in China Standard Time, whatever offset the timestamp carries", () => {
    expect(cstHourOf("2026-11-26T17:30:00Z")).toBe(1);
    expect(cstHourOf("2026-11-26T01:30:00+08:00")).toBe(1);
    expect(cstHourOf("not a time")).toBeUndefined();
  });
});
