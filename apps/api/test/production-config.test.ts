/**
 * The real API process in production refuses development secrets and a plain-http Alipay endpoint
 * (issue 14): it exits 1 before listening, with one line naming the variable and never its value.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inheritedEnv, startAppProcess } from "@riskq/testing";
import { describe, expect, it } from "vitest";

const production = {
  ...inheritedEnv(process.env),
  NODE_ENV: "production",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  RISKQ_PREFIX: "{riskq-production-config-test}",
  API_PORT: "0",
  ALIPAY_ENDPOINT: "https://alipay.example",
  RISKQ_API_KEYS: "k".repeat(32),
  RISKQ_SECRET_KEY: Buffer.alloc(32, 5).toString("base64"),
};

const start = (env: Record<string, string>) =>
  startAppProcess({
    name: "api",
    script: "apps/api/src/main.ts",
    readyEvent: "listening",
    env,
    startTimeoutMs: 30_000,
  });

describe("the API in production", () => {
  it.each([
    ["RISKQ_API_KEYS", "dev-api-key", "holds the development default"],
    [
      "RISKQ_SECRET_KEY",
      Buffer.from("riskq-development-only-secret!!!").toString("base64"),
      "holds the development default",
    ],
    ["RISKQ_API_KEYS", "short-key-of-a-few-chars", "must be at least 32 characters each"],
    ["ALIPAY_ENDPOINT", "http://alipay.example", "must start with https://"],
  ])("refuses %s=%s, exiting 1 with the variable's name", async (variable, value, problem) => {
    const failure = await start({ ...production, [variable]: value }).then(
      () => {
        throw new Error("the API started");
      },
      (error: Error) => error,
    );
    expect(failure.message).toMatch(/exited early \(code 1/);
    expect(failure.message).toContain(`riskq: configuration error: ${variable} ${problem}`);
    if (variable !== "ALIPAY_ENDPOINT") expect(failure.message).not.toContain(value);
  });

  it("refuses a key file whose plain secret is short, naming the entry, never the secret", async () => {
    const dir = mkdtempSync(join(tmpdir(), "riskq-api-keys-"));
    const keyFile = join(dir, "api-keys.json");
    const short = "short-producer-secret";
    writeFileSync(
      keyFile,
      JSON.stringify({ keys: [{ name: "checkout", secret: short, role: "producer", merchants: "*" }] }),
    );
    try {
      const { RISKQ_API_KEYS: _plain, ...withoutPlainKeys } = production;
      const failure = await start({ ...withoutPlainKeys, RISKQ_API_KEYS_FILE: keyFile }).then(
        () => {
          throw new Error("the API started");
        },
        (error: Error) => error,
      );
      expect(failure.message).toMatch(/exited early \(code 1/);
      expect(failure.message).toContain(
        'riskq: configuration error: RISKQ_API_KEYS key file: keys[0] ("checkout").secret must be at least 32 characters in production',
      );
      expect(failure.message).not.toContain(short);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
