import type { ScoreItem, Task } from "@riskq/contracts";
import { generateMerchants, generateTraffic, type LabelledItem } from "@riskq/synthetic";
import { describe, expect, it } from "vitest";
import { createRiskModel } from "../src/model/index";

const START = "2026-11-26T00:00:00Z";

/** Typical traffic (docs/alipay-ai-api.md §11): 30 merchants, default spacing and fraud rate. */
function typicalTraffic(seed: number, count = 20_000): LabelledItem[] {
  const merchants = generateMerchants({ seed, count: 30 });
  return generateTraffic({ seed, merchants, count, start: START });
}

/** Rank-based AUC (Mann–Whitney U), ties sharing their average rank. */
function auc(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((_, i) => i).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
  let positives = 0;
  let positiveRanks = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1] ?? 0] === scores[order[i] ?? 0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k] ?? 0]) {
        positives++;
        positiveRanks += rank;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  return (positiveRanks - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function scoreAll(seed: number, items: readonly LabelledItem[], task: Task = "card_risk") {
  const model = createRiskModel({ seed });
  return items.map(({ item }) => model.score(item, task));
}

function shareAtLeast(confidences: readonly number[], threshold: number): number {
  return confidences.filter((c) => c >= threshold).length / confidences.length;
}

describe("hidden risk model", () => {
  it("gives the same answers to the same calls after a reset", () => {
    const items = typicalTraffic(21, 2_000);
    const model = createRiskModel({ seed: 21 });
    const first = items.map(({ item }) => model.score(item, "card_risk"));
    model.reset();
    const second = items.map(({ item }) => model.score(item, "card_risk"));
    expect(second).toEqual(first);
    // A different seed changes the noise, so at least some answers differ.
    const other = scoreAll(22, items);
    expect(other.map((r) => r.confidence)).not.toEqual(first.map((r) => r.confidence));
  });

  it("is stateful: the same item sent again can score differently", () => {
    const items = typicalTraffic(23, 500);
    const model = createRiskModel({ seed: 23 });
    for (const { item } of items) model.score(item, "merchant_behavior");
    const last = items[items.length - 1]?.item as ScoreItem;
    const again = [model.score(last, "merchant_behavior"), model.score(last, "merchant_behavior")];
    expect(again[0]?.confidence).not.toBe(again[1]?.confidence);
  });

  it("raises the score when one card is used again and again within minutes", () => {
    const items = typicalTraffic(24, 3_000);
    const model = createRiskModel({ seed: 24 });
    for (const { item } of items) model.score(item, "card_risk");
    const template = items[items.length - 1]?.item as ScoreItem;
    const t0 = Date.parse(template.occurred_at) + 60_000;
    const burst = Array.from({ length: 6 }, (_, i) =>
      model.score(
        {
          ...template,
          item_id: `burst_${i}`,
          card_fingerprint: "c0ffee".padEnd(64, "a"),
          occurred_at: new Date(t0 + i * 30_000).toISOString(),
        },
        "card_risk",
      ),
    );
    const [first, , , , , sixth] = burst;
    expect((sixth?.confidence ?? 0) - (first?.confidence ?? 1)).toBeGreaterThan(0.15);
    expect(sixth?.info_code).toContain("VELOCITY_HIGH");
  });

  it("answers confidence in [0,1] with at most 4 decimals, and short upper-snake info codes", () => {
    const items = typicalTraffic(25, 5_000);
    const results = scoreAll(25, items);
    for (const { confidence, info_code } of results) {
      expect(confidence).toBeGreaterThanOrEqual(0);
      expect(confidence).toBeLessThanOrEqual(1);
      expect(Math.round(confidence * 10_000) / 10_000).toBe(confidence);
      for (const code of info_code) expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      expect(info_code.length).toBeLessThanOrEqual(3);
    }
    expect(results.some((r) => r.info_code.length === 0)).toBe(true);
    expect(results.some((r) => r.info_code.length > 0)).toBe(true);
  });

  // Contract 9 and 11: a good but imperfect model, and the flag shares the threshold economics rest on.
  for (const seed of [1, 2, 3]) {
    it(`separates fraud with AUC in [0.90, 0.97] and flags 3–6% at 0.7, 15–25% at 0.6 (seed ${seed})`, () => {
      const items = typicalTraffic(seed);
      const confidences = scoreAll(seed, items).map((r) => r.confidence);
      const measured = {
        seed,
        items: items.length,
        auc: auc(
          confidences,
          items.map((x) => x.is_fraud),
        ),
        atLeast07: shareAtLeast(confidences, 0.7),
        atLeast06: shareAtLeast(confidences, 0.6),
      };
      console.log("model calibration", JSON.stringify(measured));
      expect(measured.auc).toBeGreaterThanOrEqual(0.9);
      expect(measured.auc).toBeLessThanOrEqual(0.97);
      expect(measured.atLeast07).toBeGreaterThanOrEqual(0.03);
      expect(measured.atLeast07).toBeLessThanOrEqual(0.06);
      expect(measured.atLeast06).toBeGreaterThanOrEqual(0.15);
      expect(measured.atLeast06).toBeLessThanOrEqual(0.25);
    });
  }

  it("keeps its quality under the other two tasks", () => {
    const items = typicalTraffic(4);
    for (const task of ["merchant_behavior", "transaction_anomaly"] as const) {
      const confidences = scoreAll(4, items, task).map((r) => r.confidence);
      const value = auc(
        confidences,
        items.map((x) => x.is_fraud),
      );
      console.log("model calibration", JSON.stringify({ seed: 4, task, auc: value }));
      expect(value).toBeGreaterThanOrEqual(0.9);
      expect(value).toBeLessThanOrEqual(0.97);
    }
  });
});
