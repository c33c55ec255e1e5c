/**
 * API keys with names, roles and merchants (RISKQ_API_KEYS as a key file, usually in
 * RISKQ_API_KEYS_FILE): each problem of the file names the entry and the field, never a key; in
 * production the plain list's rules (no development key, 32 characters or more) hold for the file's
 * plain secrets too; the plain list still works, each key an operator of every merchant.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { apiKeysEnv, listedKeyName, loadConfig } from "../src/index";
import { configErrorOf } from "./support/config-error-of";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const PRODUCER_SECRET = "producer-secret-of-at-least-32-characters";
const OPERATOR_SECRET = "operator-secret-of-at-least-32-characters";

const dir = mkdtempSync(join(tmpdir(), "riskq-api-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const keyFile = (content: string) => {
  const path = join(dir, `keys-${++files}`);
  writeFileSync(path, content);
  return path;
};
const json = (keys: unknown[]) => JSON.stringify({ keys }, null, 2);

const checkout = {
  name: "checkout",
  secret: PRODUCER_SECRET,
  role: "producer",
  merchants: ["2088000000000001"],
};
const ops = { name: "ops", secret_sha256: sha256(OPERATOR_SECRET), role: "operator", merchants: "*" };

describe("a key file", () => {
  it("gives each key its name, role and merchants, keeping only the secret's sha256", () => {
    const { config } = loadConfig(apiKeysEnv, { RISKQ_API_KEYS_FILE: keyFile(json([checkout, ops])) });
    expect(config.RISKQ_API_KEYS).toEqual([
      {
        name: "checkout",
        role: "producer",
        merchants: ["2088000000000001"],
        secretSha256: sha256(PRODUCER_SECRET),
      },
      { name: "ops", role: "operator", merchants: "*", secretSha256: sha256(OPERATOR_SECRET) },
    ]);
    expect(JSON.stringify(config)).not.toContain(PRODUCER_SECRET);
  });

  it("may be YAML", () => {
    const yaml = `# riskq API keys\nkeys:\n  - name: checkout\n    secret: ${PRODUCER_SECRET}\n    role: producer\n    merchants: ["2088000000000001"]\n`;
    const { config } = loadConfig(apiKeysEnv, { RISKQ_API_KEYS_FILE: keyFile(yaml) });
    expect(config.RISKQ_API_KEYS.map((key) => [key.name, key.role])).toEqual([["checkout", "producer"]]);
  });

  it.each([
    [
      "a role",
      [checkout, { ...ops, role: "admin" }],
      'keys[1] ("ops").role must be "producer" or "operator"',
    ],
    [
      "merchants",
      [{ ...checkout, merchants: ["2088"] }],
      'keys[0] ("checkout").merchants[0] must be a 16-digit merchant id',
    ],
    [
      "a missing role",
      [{ ...checkout, role: undefined }],
      'keys[0] ("checkout").role must be "producer" or "operator"',
    ],
    [
      "two secrets",
      [{ ...checkout, secret_sha256: sha256("x") }],
      'keys[0] ("checkout").secret give exactly one',
    ],
    [
      "a bad hash",
      [{ ...ops, secret_sha256: "abc" }],
      'keys[0] ("ops").secret_sha256 must be 64 hex characters',
    ],
    ["a name", [{ ...checkout, name: "has space" }], "keys[0].name must be 1–64 characters"],
    [
      "an unknown field",
      [{ ...checkout, scopes: ["all"] }],
      'keys[0] ("checkout") Unrecognized key: "scopes"',
    ],
    [
      "a repeated name",
      [checkout, { ...ops, name: "checkout" }],
      'keys[1] ("checkout").name repeats keys[0]',
    ],
    [
      "a shared secret",
      [checkout, { ...ops, secret_sha256: undefined, secret: PRODUCER_SECRET }],
      'gives keys "checkout" and "ops" the same secret',
    ],
  ])("with a wrong field (%s) stops start-up naming the entry and the field", (_what, keys, problem) => {
    const error = configErrorOf(apiKeysEnv, { RISKQ_API_KEYS_FILE: keyFile(json(keys)) });
    expect(error.variable).toBe("RISKQ_API_KEYS");
    expect(error.message).toContain(`RISKQ_API_KEYS key file: ${problem}`);
    expect(error.message).not.toContain(PRODUCER_SECRET);
    expect(error.message).not.toContain(sha256(OPERATOR_SECRET));
  });

  it("that is a bare list says what the document should be", () => {
    const error = configErrorOf(apiKeysEnv, { RISKQ_API_KEYS_FILE: keyFile(JSON.stringify([checkout])) });
    expect(error.message).toContain('RISKQ_API_KEYS key file: the document (want { "keys": [ … ] })');
    expect(error.message).not.toContain(PRODUCER_SECRET);
  });

  it("that does not parse says where, without quoting the text around it (a secret)", () => {
    const error = configErrorOf(apiKeysEnv, {
      RISKQ_API_KEYS_FILE: keyFile(
        `{ "keys": [ { "name": "checkout", "secret": "${PRODUCER_SECRET}" ,, } ] }`,
      ),
    });
    expect(error.message).toMatch(/^RISKQ_API_KEYS key file: is not valid JSON or YAML at line 1/);
    expect(error.message).not.toContain(PRODUCER_SECRET);
  });
});

describe("a key file in production", () => {
  const production = { NODE_ENV: "production" };

  it("refuses a plain secret shorter than 32 characters, naming the entry, not the secret", () => {
    const short = { ...checkout, secret: "short-secret" };
    const error = configErrorOf(apiKeysEnv, {
      ...production,
      RISKQ_API_KEYS_FILE: keyFile(json([ops, short])),
    });
    expect(error.message).toBe(
      'RISKQ_API_KEYS key file: keys[1] ("checkout").secret must be at least 32 characters in production (e.g. output of: openssl rand -hex 24)',
    );
    expect(error.message).not.toContain("short-secret");
  });

  it("refuses the development key, plain or hashed", () => {
    for (const dev of [
      { ...checkout, secret: "dev-api-key" },
      { ...ops, secret_sha256: sha256("dev-api-key") },
    ]) {
      const error = configErrorOf(apiKeysEnv, { ...production, RISKQ_API_KEYS_FILE: keyFile(json([dev])) });
      expect(error.message).toMatch(
        /^RISKQ_API_KEYS key file: keys\[0\] \("\w+"\) holds the development key/,
      );
    }
  });

  it("accepts long plain secrets and hashes", () => {
    const { config } = loadConfig(apiKeysEnv, {
      ...production,
      RISKQ_API_KEYS_FILE: keyFile(json([checkout, ops])),
    });
    expect(config.RISKQ_API_KEYS).toHaveLength(2);
  });
});

describe("the plain list RISKQ_API_KEYS", () => {
  it("makes each key an operator of every merchant, named by its sha256's first 12 hex digits", () => {
    const { config } = loadConfig(apiKeysEnv, { RISKQ_API_KEYS: `${OPERATOR_SECRET}, ${PRODUCER_SECRET}` });
    expect(config.RISKQ_API_KEYS).toEqual([
      {
        name: `key-${sha256(OPERATOR_SECRET).slice(0, 12)}`,
        role: "operator",
        merchants: "*",
        secretSha256: sha256(OPERATOR_SECRET),
      },
      {
        name: listedKeyName(PRODUCER_SECRET),
        role: "operator",
        merchants: "*",
        secretSha256: sha256(PRODUCER_SECRET),
      },
    ]);
  });
});
