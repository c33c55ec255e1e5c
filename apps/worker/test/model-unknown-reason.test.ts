import { describe, expect, it } from "vitest";
import type { ModelRouting } from "../src/scoring/model-route";
import { modelUnknownReason } from "../src/scoring/model-unknown-reason";

// The drift marks as the health cache reports them (the cache's Redis reads are tested with drift).
const routing = (marked: string[]): ModelRouting => ({
  defaultModelVersion: "risk-v3-2026-11",
  fallbackModelVersion: "risk-v3-2026-10",
  health: {
    degraded: async (version: string) =>
      marked.includes(version) ? { reason: "retired", since: 0 } : undefined,
  },
});

describe("modelUnknownReason: Alipay does not know the pinned model", () => {
  it("is model_retired for versions riskq knew: its default, its fallback, a drift-marked one", async () => {
    const known = { defaultModelVersion: "risk-v3-2026-11", models: routing(["risk-v3-2026-09"]) };
    expect(await modelUnknownReason(undefined, known)).toBe("model_retired");
    expect(await modelUnknownReason("risk-v3-2026-11", known)).toBe("model_retired");
    expect(await modelUnknownReason("risk-v3-2026-10", known)).toBe("model_retired");
    expect(await modelUnknownReason("risk-v3-2026-09", known)).toBe("model_retired");
    // Without drift bookkeeping the default alone is known.
    expect(await modelUnknownReason("risk-v3-2026-11", { defaultModelVersion: "risk-v3-2026-11" })).toBe(
      "model_retired",
    );
  });

  it("is the caller's invalid_payload for a version only the caller named", async () => {
    const known = { defaultModelVersion: "risk-v3-2026-11", models: routing(["risk-v3-2026-09"]) };
    expect(await modelUnknownReason("risk-v9-2099-01", known)).toBe("invalid_payload");
    expect(await modelUnknownReason("junk", { defaultModelVersion: "risk-v3-2026-11" })).toBe(
      "invalid_payload",
    );
  });
});
