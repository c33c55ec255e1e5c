import { parseConfig } from "@riskq/config";
import { isAllowedAddress, isAllowedHost } from "@riskq/pipeline";
import { describe, expect, it } from "vitest";
import { workerEnv } from "../src/worker-env";

const base = { RISKQ_CALLBACK_SECRET: "x".repeat(32) };

describe("RISKQ_CALLBACK_ALLOWED_HOSTS", () => {
  it("opens nothing by default", () => {
    const env = parseConfig(workerEnv, base);
    expect(isAllowedAddress(env.RISKQ_CALLBACK_ALLOWED_HOSTS, "127.0.0.1")).toBe(false);
    expect(isAllowedHost(env.RISKQ_CALLBACK_ALLOWED_HOSTS, "localhost")).toBe(false);
  });

  it("opens exact hostnames and CIDRs", () => {
    const env = parseConfig(workerEnv, {
      ...base,
      RISKQ_CALLBACK_ALLOWED_HOSTS: "hooks.internal, 10.1.0.0/16,127.0.0.1",
    });
    const list = env.RISKQ_CALLBACK_ALLOWED_HOSTS;
    expect(isAllowedHost(list, "hooks.internal")).toBe(true);
    expect(isAllowedHost(list, "other.internal")).toBe(false);
    expect(isAllowedAddress(list, "10.1.200.3")).toBe(true);
    expect(isAllowedAddress(list, "10.2.0.1")).toBe(false);
    expect(isAllowedAddress(list, "127.0.0.1")).toBe(true);
  });

  it("refuses the start-up on an entry that is neither", () => {
    expect(() => parseConfig(workerEnv, { ...base, RISKQ_CALLBACK_ALLOWED_HOSTS: "10.0.0.0/40" })).toThrow(
      /RISKQ_CALLBACK_ALLOWED_HOSTS/,
    );
  });
});
