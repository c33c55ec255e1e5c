import { describe, expect, it } from "vitest";
import { z } from "zod";
import { base64Key, csv, loadConfig, riskqCommonEnv, secret } from "../src/index";
import { configErrorOf } from "./support/config-error-of";

const DEV_KEY = Buffer.alloc(32, 7).toString("base64");
const schema = riskqCommonEnv.extend({
  RISKQ_API_KEYS: secret({
    of: csv(),
    devDefault: "dev-api-key",
    describe: "comma-separated bearer keys of the API",
  }),
  RISKQ_SECRET_KEY: base64Key(32, { devDefault: DEV_KEY }),
  DASHBOARD_PASSWORD: secret({ devDefault: "dev-password", describe: "password of the dashboard" }),
});

describe("secrets in development", () => {
  it("take their dev default and record one clearly marked warning each", () => {
    const { config, warnings } = loadConfig(schema, {});
    expect(config.RISKQ_API_KEYS).toEqual(["dev-api-key"]);
    expect(config.RISKQ_SECRET_KEY).toEqual(Buffer.alloc(32, 7));
    expect(config.DASHBOARD_PASSWORD).toBe("dev-password");
    expect(warnings).toEqual([
      "RISKQ_API_KEYS not set: using the development default (never use it in production)",
      "RISKQ_SECRET_KEY not set: using the development default (never use it in production)",
      "DASHBOARD_PASSWORD not set: using the development default (never use it in production)",
    ]);
  });

  it("use the given value without a warning", () => {
    const key = Buffer.alloc(32, 9);
    const { config, warnings } = loadConfig(schema, {
      RISKQ_API_KEYS: "k1,k2",
      RISKQ_SECRET_KEY: key.toString("base64"),
      DASHBOARD_PASSWORD: "hunter2",
    });
    expect(config.RISKQ_API_KEYS).toEqual(["k1", "k2"]);
    expect(config.RISKQ_SECRET_KEY).toEqual(key);
    expect(warnings).toEqual([]);
  });

  it("without a dev default are required everywhere", () => {
    const error = configErrorOf(
      z.object({ ALIPAY_APP_PRIVATE_KEY: secret({ describe: "PEM of the app key" }) }),
      {},
    );
    expect(error.message).toBe("ALIPAY_APP_PRIVATE_KEY is required: PEM of the app key");
  });
});

describe("secrets in production", () => {
  const production = {
    NODE_ENV: "production",
    RISKQ_API_KEYS: "prod-key",
    RISKQ_SECRET_KEY: Buffer.alloc(32, 1).toString("base64"),
    DASHBOARD_PASSWORD: "prod-password",
  };

  it("parse when all are set, with no warnings", () => {
    const { config, warnings } = loadConfig(schema, production);
    expect(config.NODE_ENV).toBe("production");
    expect(warnings).toEqual([]);
  });

  it.each([
    ["RISKQ_API_KEYS", "RISKQ_API_KEYS is required in production: comma-separated bearer keys of the API"],
    [
      "RISKQ_SECRET_KEY",
      "RISKQ_SECRET_KEY is required in production: base64 of 32 random bytes (generate one with: openssl rand -base64 32)",
    ],
    ["DASHBOARD_PASSWORD", "DASHBOARD_PASSWORD is required in production: password of the dashboard"],
  ])("stop when %s is missing, naming it", (variable, message) => {
    const error = configErrorOf(schema, { ...production, [variable]: undefined });
    expect(error.variable).toBe(variable);
    expect(error.message).toBe(message);
  });

  it("count an empty value as missing", () => {
    expect(configErrorOf(schema, { ...production, DASHBOARD_PASSWORD: "" }).variable).toBe(
      "DASHBOARD_PASSWORD",
    );
  });
});

describe("secret values never appear in error messages", () => {
  it.each([
    ["too short a key", Buffer.alloc(16, 0xab).toString("base64"), "must decode to exactly 32 bytes, not 16"],
    ["a key that is not base64", "this-is-not-base64!!-but-a-secret", "must be base64 of exactly 32 bytes"],
  ])("RISKQ_SECRET_KEY: %s", (_kind, value, problem) => {
    const error = configErrorOf(schema, { RISKQ_SECRET_KEY: value });
    expect(error.variable).toBe("RISKQ_SECRET_KEY");
    expect(error.message).toContain(problem);
    expect(error.message).toContain("(got a secret value, not shown)");
    expect(error.message).not.toContain(value);
    expect(error.message).not.toContain(value.slice(0, 8));
  });

  it("hides the value even when the secret is wrapped further", () => {
    const wrapped = z.object({ TOKEN: secret({ of: z.string().min(40) }).optional() });
    const value = "short-but-secret-token";
    const error = configErrorOf(wrapped, { TOKEN: value });
    expect(error.message).toMatch(/^TOKEN is invalid: .* \(got a secret value, not shown\)$/);
    expect(error.message).not.toContain(value);
  });

  it("shows the value of a non-secret field for contrast", () => {
    expect(configErrorOf(schema, { LOG_LEVEL: "loud" }).message).toContain('(got "loud")');
  });
});
