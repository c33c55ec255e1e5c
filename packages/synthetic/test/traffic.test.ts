import { scoreItemSchema, strictScoreItemSchema } from "@riskq/contracts";
import { describe, expect, it } from "vitest";
import { generateMerchants, generateTraffic } from "../src/index";

const START = "2026-11-26T00:00:00Z";

function traffic(seed: number, count: number) {
  const merchants = generateMerchants({ seed, count: 20 });
  return generateTraffic({ seed, merchants, count, start: START });
}

/** Luhn check, written out here so the test does not trust the code under test. */
function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

describe("generateTraffic", () => {
  it("gives identical items for the same seed and different items for another", () => {
    expect(traffic(7, 2_000)).toEqual(traffic(7, 2_000));
    const other = traffic(8, 2_000);
    expect(other.map((x) => x.item.amount)).not.toEqual(traffic(7, 2_000).map((x) => x.item.amount));
  });

  it("produces items that pass the lenient and the strict item schema, all with a card fingerprint", () => {
    for (const { item } of traffic(3, 3_000)) {
      expect(scoreItemSchema.safeParse(item).success).toBe(true);
      expect(strictScoreItemSchema.safeParse(item).success).toBe(true);
      expect(item.card_fingerprint).toBeDefined();
    }
  });

  it("keeps the fraud rate within 1–3% on 20 000 items", () => {
    for (const seed of [1, 2]) {
      const items = traffic(seed, 20_000);
      const rate = items.filter((x) => x.is_fraud).length / items.length;
      expect(rate).toBeGreaterThanOrEqual(0.01);
      expect(rate).toBeLessThanOrEqual(0.03);
    }
  });

  it("honours an explicit fraud rate", () => {
    const merchants = generateMerchants({ seed: 4, count: 20 });
    const items = generateTraffic({ seed: 4, merchants, count: 20_000, start: START, fraudRate: 0.01 });
    const rate = items.filter((x) => x.is_fraud).length / items.length;
    expect(rate).toBeGreaterThan(0.005);
    expect(rate).toBeLessThan(0.015);
  });

  it("never repeats an item_id within a merchant", () => {
    const seen = new Set<string>();
    for (const { item } of traffic(5, 20_000)) {
      const key = `${item.merchant_id}/${item.item_id}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
  });

  it("advances occurred_at from start", () => {
    const items = traffic(6, 5_000);
    expect(Date.parse(items[0]?.item.occurred_at ?? "")).toBeGreaterThanOrEqual(Date.parse(START));
    for (let i = 1; i < items.length; i++) {
      expect(Date.parse(items[i]?.item.occurred_at ?? "")).toBeGreaterThanOrEqual(
        Date.parse(items[i - 1]?.item.occurred_at ?? ""),
      );
    }
  });

  it("uses 64-hex card fingerprints that hold no Luhn-valid 13–19 digit run", () => {
    const items = traffic(9, 20_000);
    const fingerprints = new Set(items.map((x) => x.item.card_fingerprint ?? ""));
    for (const merchant of generateMerchants({ seed: 9, count: 20 })) {
      for (const card of merchant.card_pool) fingerprints.add(card);
    }
    for (const fp of fingerprints) {
      expect(fp).toMatch(/^[0-9a-f]{64}$/);
      for (const run of fp.match(/\d{13,}/g) ?? []) {
        for (let len = 13; len <= Math.min(19, run.length); len++) {
          for (let at = 0; at + len <= run.length; at++)
            expect(luhnValid(run.slice(at, at + len))).toBe(false);
        }
      }
    }
  });
});

describe("generateMerchants", () => {
  it("gives 16-digit 2088 merchant ids, unique and never Luhn-valid", () => {
    const merchants = generateMerchants({ seed: 11, count: 500 });
    const ids = merchants.map((m) => m.merchant_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^2088\d{12}$/);
      expect(luhnValid(id)).toBe(false);
    }
  });

  it("spreads usual amounts realistically across categories", () => {
    const merchants = generateMerchants({ seed: 12, count: 300 }).filter((m) => m.currency === "CNY");
    const median = (category: string) => {
      const mus = merchants.filter((m) => m.category === category).map((m) => Math.exp(m.amount.mu));
      return mus.sort((a, b) => a - b)[mus.length >> 1] ?? Number.NaN;
    };
    expect(median("grocery")).toBeGreaterThan(15);
    expect(median("grocery")).toBeLessThan(60);
    expect(median("electronics")).toBeGreaterThan(1_000);
    expect(median("electronics")).toBeLessThan(4_000);
  });
});
