import { describe, expect, it } from "vitest";
import { idempotencyEnv, parseConfig } from "../src/index";
import { configErrorOf } from "./support/config-error-of";

describe("RISKQ_IDEMPOTENCY_TTL (a duration)", () => {
  it("defaults to a day and reads seconds or a number with a unit, in ms", () => {
    const ttl = (raw?: string) =>
      parseConfig(idempotencyEnv, { RISKQ_IDEMPOTENCY_TTL: raw }).RISKQ_IDEMPOTENCY_TTL;
    expect(ttl()).toBe(86_400_000);
    expect(ttl("86400")).toBe(86_400_000);
    expect(ttl("24h")).toBe(86_400_000);
    expect(ttl("90m")).toBe(5_400_000);
    expect(ttl("7d")).toBe(604_800_000);
    expect(ttl("1500ms")).toBe(1_500);
  });

  it("refuses other text and values out of range, saying what is expected", () => {
    for (const raw of ["1.5h", "-5", "24 hours", "500ms", "91d"]) {
      const error = configErrorOf(idempotencyEnv, { RISKQ_IDEMPOTENCY_TTL: raw });
      expect(error.message).toContain("RISKQ_IDEMPOTENCY_TTL must be a duration");
    }
  });
});
