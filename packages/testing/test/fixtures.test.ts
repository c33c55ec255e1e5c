import { stat } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createSdk,
  createTestRedis,
  currentAesKey,
  onboardMerchant,
  pickKeyAt,
  type SandboxProcess,
  signedRequest,
  startSandbox,
  type TestRedis,
} from "../src/index";

const redisUrl = process.env.REDIS_URL;

describe("createTestRedis", () => {
  const opened: TestRedis[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((t) => t.cleanup()));
  });

  it("gives each caller its own hash-tagged prefix", async () => {
    const a = await createTestRedis({ url: redisUrl });
    const b = await createTestRedis({ url: redisUrl });
    opened.push(a, b);
    expect(a.prefix).toMatch(/^\{t-[0-9a-f]{8}\}$/);
    expect(a.prefix).not.toBe(b.prefix);
    expect(a.key("jobs", 1)).toBe(`${a.prefix}:jobs:1`);
    await a.redis.set(a.key("same"), "a");
    await b.redis.set(b.key("same"), "b");
    expect(await a.redis.get(a.key("same"))).toBe("a");
    expect(await b.redis.get(b.key("same"))).toBe("b");
  });

  it("cleanup removes every key under the prefix and leaves other prefixes alone", async () => {
    const doomed = await createTestRedis({ url: redisUrl });
    const bystander = await createTestRedis({ url: redisUrl });
    opened.push(bystander);
    // More keys than one SCAN page, so the cursor loop is exercised.
    const pipeline = doomed.redis.pipeline();
    for (let i = 0; i < 1200; i++) pipeline.set(doomed.key("k", i), "1");
    await pipeline.exec();
    await bystander.redis.set(bystander.key("keep"), "1");

    await doomed.cleanup();

    const [, left] = await bystander.redis.scan("0", "MATCH", `${doomed.prefix}*`, "COUNT", 10_000);
    expect(left).toEqual([]);
    expect(await bystander.redis.exists(bystander.key("keep"))).toBe(1);
    expect(doomed.redis.status).toBe("end");
  });

  it("supports await using", async () => {
    let prefix = "";
    let probe: TestRedis | undefined;
    {
      await using t = await createTestRedis({ url: redisUrl });
      prefix = t.prefix;
      probe = t;
      await t.redis.set(t.key("x"), "1");
    }
    expect(probe.redis.status).toBe("end");
    const check = await createTestRedis({ url: redisUrl });
    opened.push(check);
    expect(await check.redis.exists(`${prefix}:x`)).toBe(0);
  });
});

describe("startSandbox", () => {
  it("reaches the listening line, exposes the keys, and stop() ends the process", async () => {
    const sandbox = await startSandbox();
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.appPrivateKey).toContain("BEGIN RSA PRIVATE KEY");
      expect(sandbox.platformPublicKey).toContain("BEGIN PUBLIC KEY");
      const state = await sandbox.control.state();
      expect(state.clock.offset_ms).toBe(0);
    } finally {
      await sandbox.stop();
    }
    await expect(fetch(`${sandbox.url}/__sandbox/state`)).rejects.toThrow();
    await expect(stat(sandbox.keysDir)).rejects.toThrow();
  });
});

describe("client helpers against a sandbox", () => {
  let sandbox: SandboxProcess;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it("onboardMerchant exchanges the merchant's code for tokens", async () => {
    const merchant = await onboardMerchant(sandbox, createSdk(sandbox));
    expect(merchant.merchantId).toMatch(/^\d{16}$/);
    expect(merchant.tokens.user_id).toBe(merchant.merchantId);
    expect(merchant.appAuthToken).toBeTruthy();
  });

  it("currentAesKey returns the key valid now", async () => {
    const now = new Date((await sandbox.control.state()).clock.now);
    const key = await currentAesKey(createSdk(sandbox), now);
    expect(Date.parse(key.not_before)).toBeLessThanOrEqual(now.getTime());
    expect(Date.parse(key.expires_at)).toBeGreaterThan(now.getTime());
  });

  it("signedRequest signs requests the sandbox accepts and verifies its responses", async () => {
    const base = {
      baseUrl: sandbox.url,
      method: "POST",
      path: "/v3/alipay/security/risk/ai/key/query",
      body: {},
      appId: sandbox.appId,
      appPrivateKey: sandbox.appPrivateKey,
      platformPublicKey: sandbox.platformPublicKey,
    };
    const ok = await signedRequest(base);
    expect(ok.status).toBe(200);
    expect(ok.signatureValid).toBe(true);
    const wrongKey = await signedRequest({ ...base, platformPublicKey: sandbox.appPublicKey });
    expect(wrongKey.signatureValid).toBe(false);
    const replayed = await signedRequest({ ...base, nonce: ok.nonce });
    expect(replayed.status).toBe(400);
    const unsigned = await signedRequest({ ...base, authorization: null });
    expect(unsigned.status).toBe(400);
  });
});

describe("pickKeyAt", () => {
  it("picks by instant, not by position", () => {
    const keys = [
      {
        key_id: "k-20261127-01",
        aes_key: "b",
        not_before: "2026-11-26T18:30:00Z",
        expires_at: "2026-11-27T18:30:00Z",
      },
      {
        key_id: "k-20261126-01",
        aes_key: "a",
        not_before: "2026-11-25T18:30:00Z",
        expires_at: "2026-11-26T18:30:00Z",
      },
    ];
    expect(pickKeyAt(keys, new Date("2026-11-26T18:00:00Z"))?.key_id).toBe("k-20261126-01");
    expect(pickKeyAt(keys, new Date("2026-11-26T18:30:00Z"))?.key_id).toBe("k-20261127-01");
    expect(pickKeyAt(keys, new Date("2026-11-28T00:00:00Z"))).toBeUndefined();
  });
});
