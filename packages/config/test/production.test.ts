/**
 * Production refuses what only development may use (issue 14): the published development secrets,
 * short keys and passwords, a plain-http Alipay endpoint; and errors never quote values that may
 * carry credentials. Secrets may come from `<NAME>_FILE`.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alipayEnv, apiKeysEnv, field, loadConfig, riskqCommonEnv, secret, sensitive } from "../src/index";
import { configErrorOf } from "./support/config-error-of";

const schema = riskqCommonEnv
  .extend(alipayEnv("/repo").shape)
  .extend(apiKeysEnv.shape)
  .extend({
    DASHBOARD_PASSWORD: secret({ devDefault: "riskq-development-only-password", minLength: 16 }),
    HOOKS: sensitive(
      field("comma-separated URLs", (raw) =>
        raw.includes("://") ? { ok: true, value: raw } : { ok: false },
      ),
    ).optional(),
  });

const API_KEY = "a".repeat(32);
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const DEV_SECRET_KEY = Buffer.from("riskq-development-only-secret!!!").toString("base64");
const production = {
  NODE_ENV: "production",
  ALIPAY_ENDPOINT: "https://openapi.alipay.com",
  RISKQ_API_KEYS: API_KEY,
  RISKQ_SECRET_KEY: Buffer.alloc(32, 3).toString("base64"),
  DASHBOARD_PASSWORD: "p".repeat(16),
};

describe("production refuses development values", () => {
  it("parses a production configuration of its own values", () => {
    expect(loadConfig(schema, production).warnings).toEqual([]);
  });

  it.each([
    ["RISKQ_API_KEYS", "dev-api-key"],
    ["RISKQ_API_KEYS", `${API_KEY},dev-api-key`],
    ["RISKQ_SECRET_KEY", DEV_SECRET_KEY],
    ["DASHBOARD_PASSWORD", "riskq-development-only-password"],
  ])("%s=%s (the development default) stops start-up, naming the variable", (variable, value) => {
    const error = configErrorOf(schema, { ...production, [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(
      new RegExp(`^${variable} holds the development default, which is public: set your own in production`),
    );
  });

  it("the same values are fine outside production", () => {
    expect(() =>
      loadConfig(schema, {
        ...production,
        NODE_ENV: "development",
        RISKQ_API_KEYS: "dev-api-key",
        ALIPAY_ENDPOINT: "http://127.0.0.1:8787",
      }),
    ).not.toThrow();
  });

  it.each([
    ["RISKQ_API_KEYS", `${API_KEY},short-key`, "must be at least 32 characters each in production"],
    ["DASHBOARD_PASSWORD", "fifteen-chars!!", "must be at least 16 characters in production"],
  ])("%s shorter than its minimum stops start-up without quoting it", (variable, value, problem) => {
    const error = configErrorOf(schema, { ...production, [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(`${variable} ${problem}`);
    expect(error.message).not.toContain(value.split(",").at(-1));
  });

  it("ALIPAY_ENDPOINT must be https, and its development default does not count", () => {
    const plain = configErrorOf(schema, { ...production, ALIPAY_ENDPOINT: "http://alipay.example" });
    expect(plain.message).toBe("ALIPAY_ENDPOINT must start with https:// in production");
    const unset = configErrorOf(schema, { ...production, ALIPAY_ENDPOINT: undefined });
    expect(unset.variable).toBe("ALIPAY_ENDPOINT");
    expect(unset.message).toContain("must be set to a URL starting with https:// in production");
  });
});

describe("values that may carry credentials are never quoted", () => {
  it.each([
    ["REDIS_URL", "http://:hunter2-redis-password@redis.internal:6379"],
    ["HOOKS", "hooks.slack.com/services/T000/B000/secret-token-xyz"],
  ])("a malformed %s", (variable, value) => {
    const error = configErrorOf(schema, { ...production, [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toContain("(value not shown: it may hold credentials)");
    expect(error.message).not.toContain(value.slice(0, 12));
    expect(error.message).not.toMatch(/hunter2|secret-token/);
  });
});

describe("<NAME>_FILE", () => {
  const dir = mkdtempSync(join(tmpdir(), "riskq-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it("reads a secret from the file, without its trailing newline", () => {
    const keys = file("keys", `${API_KEY},${"b".repeat(40)}\n`);
    const password = file("password", "q".repeat(20));
    const { config } = loadConfig(schema, {
      ...production,
      RISKQ_API_KEYS: undefined,
      RISKQ_API_KEYS_FILE: keys,
      DASHBOARD_PASSWORD: undefined,
      DASHBOARD_PASSWORD_FILE: password,
    });
    expect(config.RISKQ_API_KEYS.map((key) => key.secretSha256)).toEqual([
      sha256(API_KEY),
      sha256("b".repeat(40)),
    ]);
    expect(config.DASHBOARD_PASSWORD).toBe("q".repeat(20));
  });

  it("applies the production rules to a file's content too", () => {
    const dev = file("dev-keys", "dev-api-key\n");
    const error = configErrorOf(schema, {
      ...production,
      RISKQ_API_KEYS: undefined,
      RISKQ_API_KEYS_FILE: dev,
    });
    expect(error.message).toMatch(/^RISKQ_API_KEYS holds the development default/);
  });

  it("both set is an error naming both", () => {
    const error = configErrorOf(schema, { ...production, RISKQ_API_KEYS_FILE: file("k", API_KEY) });
    expect(error.variable).toBe("RISKQ_API_KEYS");
    expect(error.message).toBe("RISKQ_API_KEYS and RISKQ_API_KEYS_FILE are both set: set only one of them");
  });

  it("a missing or empty file is an error naming the _FILE variable and the path, never content", () => {
    const missing = join(dir, "nope");
    const error = configErrorOf(schema, {
      ...production,
      RISKQ_SECRET_KEY: undefined,
      RISKQ_SECRET_KEY_FILE: missing,
    });
    expect(error.variable).toBe("RISKQ_SECRET_KEY_FILE");
    expect(error.message).toBe(
      `RISKQ_SECRET_KEY_FILE must name a readable file holding RISKQ_SECRET_KEY (${missing}: ENOENT)`,
    );
    const empty = file("empty", "\n");
    expect(
      configErrorOf(schema, { ...production, DASHBOARD_PASSWORD: undefined, DASHBOARD_PASSWORD_FILE: empty })
        .message,
    ).toBe(`DASHBOARD_PASSWORD_FILE names an empty file (${empty})`);
  });

  it("works for variables that may carry credentials (REDIS_URL_FILE)", () => {
    const url = file("redis", "redis://:pw@127.0.0.1:6379\n");
    expect(loadConfig(schema, { ...production, REDIS_URL_FILE: url }).config.REDIS_URL).toBe(
      "redis://:pw@127.0.0.1:6379",
    );
  });

  it("is ignored for ordinary variables", () => {
    const level = file("level", "debug");
    expect(loadConfig(schema, { ...production, LOG_LEVEL_FILE: level }).config.LOG_LEVEL).toBe("info");
  });
});
