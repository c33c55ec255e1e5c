import type { ScoreItem } from "@riskq/contracts";
import { describe, expect, it } from "vitest";
import {
  createPrefilter,
  decisionScale,
  type FraudClassifier,
  precisionOf,
  riskLevelOf,
  rocAuc,
  widestCut,
} from "../src/index";

const ITEM: ScoreItem = {
  item_id: "tx_1",
  merchant_id: "2088000000000001",
  amount: "30.00",
  currency: "CNY",
  card_fingerprint: "a".repeat(64),
  occurred_at: "2026-11-26T08:00:00Z",
};

/** A classifier that answers the probability written in the item id ("p0.01"), for exact thresholds. */
const byId: FraudClassifier = {
  version: "test",
  classify: (item) =>
    item.item_id === "odd"
      ? { outOfDistribution: "unknown_mcc" }
      : { probability: Number(item.item_id.slice(1)), info_code: ["RISKY_MCC"] },
};
const THRESHOLDS = { legit_max: 0.01, fraud_min: 0.4 };
const prefilter = createPrefilter({ classifier: byId, thresholds: THRESHOLDS });
const judge = (p: string, threshold?: number) => prefilter.judge({ ...ITEM, item_id: p }, threshold);

describe("ranking quality", () => {
  it("AUC counts pairs ranked right, ties as half, as a brute-force count does", () => {
    const scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.2, 0.9, 0.4];
    const labels = [false, true, false, true, false, false, true, true];
    let right = 0;
    let pairs = 0;
    scores.forEach((s, i) => {
      if (!labels[i]) return;
      scores.forEach((t, j) => {
        if (labels[j]) return;
        pairs++;
        right += s > t ? 1 : s === t ? 0.5 : 0;
      });
    });
    expect(rocAuc(scores, labels)).toBeCloseTo(right / pairs, 12);
    expect(rocAuc([1, 2], [true, true])).toBeNaN();
  });

  it("the widest cut keeps the target precision, never splits equal scores, and needs enough items", () => {
    const scores = [0.1, 0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.9];
    const labels = [0, 0, 0, 1, 0, 0, 1, 1, 1, 0];
    // From the top: 0.9s are 1 of 2 fraud (0.5); adding 0.8, 0.7 gives 3 of 4 (0.75); adding 0.6 → 3/5.
    expect(widestCut(scores, labels, "fraud", { precision: 0.75, minItems: 1 })).toEqual({
      threshold: 0.7,
      counts: { items: 4, fraud: 3 },
    });
    // From the bottom: 0.1, 0.1, 0.2 are legit; the 0.3 fraud drops precision to 3/4.
    expect(widestCut(scores, labels, "legit", { precision: 1, minItems: 1 })?.threshold).toBe(0.2);
    expect(widestCut(scores, labels, "legit", { precision: 1, minItems: 4 })).toBeUndefined();
    expect(precisionOf({ items: 4, fraud: 1 }, "legit")).toBe(0.75);
  });
});

describe("decision scale", () => {
  it("puts legit_max at 0.25 and fraud_min at 0.7, monotonically, with contract risk levels", () => {
    const scale = decisionScale(THRESHOLDS);
    expect(scale(0.01)).toBe(0.25);
    expect(scale(0.4)).toBe(0.7);
    const grid = [0, 1e-6, 0.001, 0.01, 0.05, 0.2, 0.4, 0.6, 0.99, 1].map(scale);
    for (let i = 1; i < grid.length; i++) expect(grid[i]).toBeGreaterThanOrEqual(grid[i - 1] as number);
    expect([0.29, 0.3, 0.59, 0.6, 0.849, 0.85].map(riskLevelOf)).toEqual([
      "low",
      "medium",
      "medium",
      "high",
      "high",
      "reject",
    ]);
  });
});

describe("pre-filter verdicts", () => {
  it("decides legit at or below legit_max: low risk, not flagged, no codes", async () => {
    const verdict = await judge("p0.01");
    expect(verdict).toMatchObject({ decision: "legit", probability: 0.01 });
    if (verdict.decision === "unjudged") throw new Error("judged");
    expect(verdict.score).toEqual({
      confidence: 0.25,
      risk_score: 25,
      risk_level: "low",
      flagged: false,
      info_code: [],
    });
  });

  it("decides fraud at or above fraud_min: flagged at the default threshold, with the classifier's codes", async () => {
    const verdict = await judge("p0.4");
    expect(verdict.decision).toBe("fraud");
    if (verdict.decision === "unjudged") throw new Error("judged");
    expect(verdict.score).toMatchObject({
      confidence: 0.7,
      risk_score: 70,
      risk_level: "high",
      flagged: true,
    });
    expect(verdict.score.info_code).toEqual(["RISKY_MCC"]);
  });

  it("leaves what lies between the thresholds to Alipay, with a score for when Alipay cannot answer", async () => {
    const verdict = await judge("p0.0101");
    expect(verdict.decision).toBe("unsure");
    if (verdict.decision === "unjudged") throw new Error("judged");
    expect(verdict.score.confidence).toBeGreaterThan(0.25);
    expect(verdict.score.flagged).toBe(false);
    expect((await judge("p0.399")).decision).toBe("unsure");
  });

  it("decides nothing for a job with its own confidence threshold, but flags at that threshold", async () => {
    const strict = await judge("p0.5", 0.9);
    expect(strict.decision).toBe("unsure");
    if (strict.decision === "unjudged") throw new Error("judged");
    expect(strict.score.flagged).toBe(false);
    expect((await judge("p0.001", 0.5)).decision).toBe("unsure");
    expect((await judge("p0.001", 0.7)).decision).toBe("legit");
  });

  it("does not judge an item its classifier calls out of distribution", async () => {
    expect(await judge("odd")).toEqual({ decision: "unjudged", reason: "unknown_mcc" });
  });

  it("names its results' model after the classifier", () => {
    expect(prefilter.modelVersion).toBe("prefilter-test");
  });
});
