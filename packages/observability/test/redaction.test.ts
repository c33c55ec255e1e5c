import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { describe, expect, it } from "vitest";
import { createLogger, maskFingerprint } from "../src/index";

/** A pino destination that keeps every line in memory (pino writes to it synchronously). */
function memoryLogger(level = "info") {
  const lines: string[] = [];
  const logger = createLogger({
    name: "redaction-test",
    level,
    destination: { write: (line) => lines.push(line) },
  });
  return { logger, lines, output: () => lines.join("") };
}

/** A unique, recognisable value per secret, so any leak is found by a plain substring search. */
const secretOf = (label: string) => `SECRET-${label}-${randomBytes(6).toString("hex")}`;

const SECRET_KEYS = [
  "authorization",
  "app_auth_token",
  "appAuthToken",
  "alipay-app-auth-token",
  "app_refresh_token",
  "refresh_token",
  "refreshToken",
  "aes_key",
  "aesKey",
  "encryptKey",
  "privateKey",
  "appPrivateKey",
  "private_key",
  "RISKQ_SECRET_KEY",
  "secretKey",
  "password",
  "apiKey",
  "auth_code",
  "authCode",
  "sign",
  "signature",
] as const;

const FINGERPRINT_KEYS = ["card_fingerprint", "cardFingerprint"] as const;

/** An object holding every secret key and both fingerprint keys; returns the values it used. */
function everySecret(label: string) {
  const secrets: string[] = [];
  const fingerprints: string[] = [];
  const object: Record<string, string> = {};
  for (const key of SECRET_KEYS) {
    const value = secretOf(`${label}-${key}`);
    secrets.push(value);
    object[key] = value;
  }
  for (const key of FINGERPRINT_KEYS) {
    const value = randomBytes(32).toString("hex");
    fingerprints.push(value);
    object[key] = value;
  }
  return { object, secrets, fingerprints };
}

/** Fails unless no secret appears and each fingerprint appears only masked. */
function expectRedacted(output: string, secrets: string[], fingerprints: string[]) {
  expect(output.length).toBeGreaterThan(0);
  for (const value of secrets) expect(output).not.toContain(value);
  for (const fingerprint of fingerprints) {
    // Nothing of the middle of a fingerprint may leak, not even a prefix longer than the mask keeps.
    expect(output).not.toContain(fingerprint.slice(0, 7));
    expect(output).not.toContain(fingerprint.slice(-5));
    expect(output).toContain(maskFingerprint(fingerprint));
  }
}

describe("createLogger redaction", () => {
  it("censors every secret key at the top level and masks fingerprints", () => {
    const { logger, lines, output } = memoryLogger();
    const { object, secrets, fingerprints } = everySecret("top");
    logger.info({ ...object, item_id: "item-42", key_id: "k-7" }, "scored");
    expectRedacted(output(), secrets, fingerprints);
    const line = JSON.parse(lines[0]!);
    for (const key of SECRET_KEYS) expect(line[key]).toBe("[redacted]");
    expect(line).toMatchObject({ item_id: "item-42", key_id: "k-7", msg: "scored", name: "redaction-test" });
  });

  it("censors authorization headers however they are nested or capitalised", () => {
    const { logger, lines, output } = memoryLogger();
    const secrets = [secretOf("h1"), secretOf("h2"), secretOf("h3"), secretOf("h4")];
    logger.info({
      headers: {
        authorization: secrets[0],
        "alipay-app-auth-token": secrets[1],
        "content-type": "application/json",
      },
      req: { method: "POST", headers: { Authorization: secrets[2] } },
      upstream: { request: { options: { headers: { AUTHORIZATION: secrets[3] } } } },
    });
    expectRedacted(output(), secrets, []);
    const line = JSON.parse(lines[0]!);
    expect(line.headers["content-type"]).toBe("application/json");
    expect(line.req.method).toBe("POST");
  });

  it("censors auth codes and signatures nested in bodies and as request headers", () => {
    const { logger, lines, output } = memoryLogger();
    const secrets = Array.from({ length: 7 }, (_, i) => secretOf(`sig${i}`));
    logger.info({
      req: {
        method: "POST",
        headers: { "Alipay-Signature": secrets[0], "x-riskq-signature": secrets[1], signature: secrets[2] },
        body: { merchant_id: "m1", auth_code: secrets[3] },
      },
      onboarding: { request: { authCode: secrets[4] } },
      alipay: { biz_content: { sign_type: "RSA2", sign: secrets[5] } },
      callbacks: [{ delivery: { headers: { Signature: secrets[6] } } }],
    });
    expectRedacted(output(), secrets, []);
    const line = JSON.parse(lines[0]!);
    expect(line.req.headers["Alipay-Signature"]).toBe("[redacted]");
    expect(line.req.body).toEqual({ merchant_id: "m1", auth_code: "[redacted]" });
    expect(line.onboarding.request.authCode).toBe("[redacted]");
    expect(line.alipay.biz_content).toEqual({ sign_type: "RSA2", sign: "[redacted]" });
  });

  it("redacts inside arrays and job data nested two and three levels deep", () => {
    const { logger, lines, output } = memoryLogger();
    const deep = everySecret("deep");
    const items = [0, 1, 2].map((i) => ({
      item_id: `item-${i}`,
      card_fingerprint: randomBytes(32).toString("hex"),
    }));
    const job = {
      id: "m1-item-0",
      data: { merchant: { id: "m1", credentials: deep.object }, request: { items } },
      batches: [[{ nested: { appAuthToken: deep.secrets[1] } }]],
    };
    logger.info({ job }, "job received");
    expectRedacted(output(), deep.secrets, [
      ...deep.fingerprints,
      ...items.map((item) => item.card_fingerprint),
    ]);
    const line = JSON.parse(lines[0]!);
    expect(line.job.data.request.items.map((item: { item_id: string }) => item.item_id)).toEqual([
      "item-0",
      "item-1",
      "item-2",
    ]);
    expect(line.job.id).toBe("m1-item-0");
  });

  it("redacts the properties of logged errors, at `err` and elsewhere", () => {
    const { logger, lines, output } = memoryLogger();
    const secrets = [secretOf("e1"), secretOf("e2"), secretOf("e3"), secretOf("e4")];
    const error = Object.assign(new Error("alipay answered 401"), {
      code: "invalid-app-auth-token",
      appAuthToken: secrets[0],
      config: { headers: { authorization: secrets[1] }, data: { aes_key: secrets[2] } },
    });
    const wrapped = new Error("batch failed", { cause: error });
    logger.error({ err: error }, "call failed");
    logger.error(error);
    logger.warn({ failure: Object.assign(wrapped, { privateKey: secrets[3] }) }, "wrapped");
    expectRedacted(output(), secrets, []);
    const [first, second, third] = lines.map((l) => JSON.parse(l));
    expect(first.err).toMatchObject({
      type: "Error",
      message: "alipay answered 401",
      code: "invalid-app-auth-token",
    });
    expect(first.err.stack).toContain("alipay answered 401");
    expect(second.msg).toBe("alipay answered 401");
    expect(second.err.type).toBe("Error");
    expect(third.failure.message).toContain("batch failed");
  });

  it("logs the name of a failed Redis command, never its arguments (ioredis puts them on the error)", () => {
    const { lines, logger, output } = memoryLogger();
    const fingerprint = "9409361c50954c3b8e25185ee7ec6bfd0907c1a7263863514ae7b7303f86a96e";
    const token = secretOf("sealed");
    // What ioredis rejects a command with when the connection drops mid-flight (a Redis restart).
    const error = Object.assign(new Error("Command aborted due to connection close"), {
      name: "AbortError",
      command: {
        name: "evalsha",
        args: ["5ab432e8", "9", `{"request":{"card_fingerprint":"${fingerprint}"}}`, Buffer.from(token)],
      },
    });
    logger.error({ err: error }, "unexpected error");
    expectRedacted(output(), [fingerprint, token, fingerprint.slice(10, 40)], []);
    expect(JSON.parse(lines[0]!).err.command).toEqual({ name: "evalsha", args: "[redacted]" });
  });

  it("redacts the bindings of child, grandchild and great-grandchild loggers", () => {
    const { logger, output, lines } = memoryLogger();
    const secrets = [secretOf("c1"), secretOf("c2"), secretOf("c3"), secretOf("c4"), secretOf("c5")];
    const fingerprint = randomBytes(32).toString("hex");
    const child = logger.child({ appAuthToken: secrets[0], merchant: { id: "m1", aes_key: secrets[1] } });
    const grandchild = child.child({
      request: { headers: { authorization: secrets[2] } },
      card_fingerprint: fingerprint,
    });
    const withOptions = logger.child({ password: secrets[3] }, { level: "debug" });
    const job = grandchild.child({ jobId: "m1-item-9", queue: "score", merchantId: "m1" });
    child.info("child");
    grandchild.info("grandchild");
    withOptions.debug("with options");
    job.info({ refresh_token: secrets[4] }, "job line");
    expectRedacted(output(), secrets, [fingerprint]);
    expect(lines).toHaveLength(4);
    const jobLine = JSON.parse(lines[3]!);
    expect(jobLine).toMatchObject({ jobId: "m1-item-9", queue: "score", merchantId: "m1", msg: "job line" });
    expect(jobLine.merchant.id).toBe("m1");
  });

  it("redacts bindings set later with setBindings", () => {
    const { logger, output } = memoryLogger();
    const secret = secretOf("sb");
    const child: Logger = logger.child({ component: "token-refresher" });
    child.setBindings({ refreshToken: secret });
    child.info("refreshing");
    expectRedacted(output(), [secret], []);
    expect(output()).toContain("token-refresher");
  });

  it("never modifies the objects it is given", () => {
    const { logger } = memoryLogger();
    const secret = secretOf("mut");
    const jobData = { merchant: { appAuthToken: secret }, items: [{ card_fingerprint: "f".repeat(64) }] };
    logger.info({ jobData });
    expect(jobData.merchant.appAuthToken).toBe(secret);
    expect(jobData.items[0]!.card_fingerprint).toBe("f".repeat(64));
  });

  it("does not leak through cycles or objects nested past the depth limit", () => {
    const { logger, output } = memoryLogger();
    const secrets = [secretOf("cyc"), secretOf("deep")];
    const cyclic: Record<string, unknown> = { name: "cyclic", token: { appAuthToken: secrets[0] } };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { apiKey: secrets[1] };
    for (let i = 0; i < 20; i++) deep = { level: deep };
    logger.info({ cyclic, deep });
    expectRedacted(output(), secrets, []);
    expect(output()).toContain("[Circular]");
  });

  it("leaves logs without secrets untouched", () => {
    const { logger, lines } = memoryLogger();
    const payload = { jobId: "j1", queue: "score", attempts: 2, items: [{ item_id: "i1", amount: "12.50" }] };
    logger.info(payload, "plain");
    expect(JSON.parse(lines[0]!)).toMatchObject({ ...payload, msg: "plain" });
  });
});

describe("maskFingerprint", () => {
  it("keeps the first 6 and last 4 characters", () => {
    expect(maskFingerprint("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e9f0e")).toBe(
      "a1b2c3…9f0e",
    );
  });

  it("hides short values entirely rather than revealing most of them", () => {
    expect(maskFingerprint("0123456789")).toBe("[redacted]");
  });

  it("leaves a masked fingerprint as it is (the API answers masked; its clients mask again)", () => {
    expect(maskFingerprint("a1b2c3…9f0e")).toBe("a1b2c3…9f0e");
  });
});
