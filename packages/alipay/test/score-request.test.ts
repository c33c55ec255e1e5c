import { describe, expect, it } from "vitest";
import { InvalidRequest } from "../src/errors/invalid-request";
import { buildScoreRequest, type ScoreBatchInput } from "../src/score-request";

const MERCHANT = "2088000000000001";
const item = (id: string, extra: Record<string, unknown> = {}) => ({
  item_id: id,
  merchant_id: MERCHANT,
  amount: "128.50",
  currency: "CNY",
  occurred_at: "2026-11-26T08:00:00Z",
  ...extra,
});
const input = (items: unknown[], itemsValidated: boolean): ScoreBatchInput => ({
  merchantId: MERCHANT,
  task: "transaction_anomaly",
  modelVersion: "risk-v3-2026-11",
  items,
  itemsValidated,
});
const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidRequest) return err.field;
    throw err;
  }
  return undefined;
};

describe("a batch request, with items checked by the caller (itemsValidated) or here", () => {
  it.each([true, false])(
    "still refuses card numbers, repeated items, other merchants and big batches (itemsValidated %s)",
    (validated) => {
      expect(
        fieldOf(() => buildScoreRequest(input([item("a", { mcc: "4111111111111111" })], validated))),
      ).toBe("items[0].mcc");
      expect(fieldOf(() => buildScoreRequest(input([item("a"), item("a")], validated)))).toBe(
        "items[1].item_id",
      );
      expect(
        fieldOf(() => buildScoreRequest(input([item("a", { merchant_id: "2088000000000002" })], validated))),
      ).toBe("merchant_id");
      const many = Array.from({ length: 101 }, (_, i) => item(`i${i}`));
      expect(fieldOf(() => buildScoreRequest(input(many, validated)))).toBe("items");
    },
  );

  it("checks each item's fields only when the caller has not", () => {
    const unknownField = [item("a", { note: "free text" })];
    expect(fieldOf(() => buildScoreRequest(input(unknownField, false)))).toBe("items[0]");
    // Trusted: the caller's own strict parse is the one that refuses it (the worker's, at pickup).
    expect(buildScoreRequest(input(unknownField, true)).items).toHaveLength(1);
  });
});
