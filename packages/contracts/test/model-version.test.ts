import { describe, expect, it } from "vitest";
import { modelVersionSchema, scoreRequestBodySchema } from "../src/index";

describe("model_version has the shape of a model snapshot name", () => {
  it.each(["risk-v3-2026-11", "risk-v3-2026-09", "risk-v10", "a", "x".repeat(64)])(
    "accepts %s",
    (version) => {
      expect(modelVersionSchema.safeParse(version).success).toBe(true);
    },
  );

  it.each([
    ["a newline that would forge an alert line", "risk-v3-2026-11\n*FIRING* all models retired"],
    ["markup", "<!channel>"],
    ["upper case", "Risk-V3"],
    ["a leading dash", "-risk"],
    ["a double dash", "risk--v3"],
    ["spaces", "risk v3"],
    ["the empty string", ""],
    ["65 characters", "x".repeat(65)],
    ["a control character", "risk-v3\u0007"],
  ])("refuses %s", (_what, version) => {
    expect(modelVersionSchema.safeParse(version).success).toBe(false);
  });

  it("is what score requests are held to", () => {
    const body = {
      task: "transaction_anomaly",
      item_id: "i-1",
      merchant_id: "2088000000000001",
      amount: "1.00",
      currency: "CNY",
      occurred_at: "2026-11-20T10:00:00+08:00",
    };
    expect(scoreRequestBodySchema.safeParse({ ...body, model_version: "risk-v3-2026-11" }).success).toBe(
      true,
    );
    const refused = scoreRequestBodySchema.safeParse({ ...body, model_version: "risk\nv3" });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(["model_version"]);
  });
});
