// Contract sections 3–4: AES content encryption and the rotating key schedule.
import { type AesKey, API_PATHS, keyListSchema } from "@riskq/contracts";
import { createSdk, pickKeyAt } from "@riskq/testing";
import { useSandbox } from "@riskq/testing/vitest";
import { aesDecrypt } from "@riskq/wire";
import { describe, expect, it } from "vitest";
import { apiError, DAY_MS, MINUTE_MS, makeItem, merchantClient, virtualNow } from "./harness";

const suite = useSandbox();
const GRACE_MS = 5 * MINUTE_MS;
const HOUR_MS = 60 * MINUTE_MS;

async function listKeys(): Promise<AesKey[]> {
  const res = await createSdk(suite.sandbox).curl("POST", API_PATHS.keyQuery, { body: {} });
  return keyListSchema.parse(res.data).keys;
}

/** Scores one item with a given AES key; resolves to "ok" or the error code. */
async function scoreWith(aesKey: string): Promise<string> {
  const client = await merchantClient(suite.sandbox);
  const sdk = createSdk(suite.sandbox, { encryptKey: aesKey });
  try {
    await sdk.curl("POST", API_PATHS.predict, {
      body: { task: "card_risk", model_version: "risk-v3-2026-10", items: [makeItem(client.merchantId, 1)] },
      needEncrypt: true,
      appAuthToken: client.appAuthToken,
    });
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const shanghaiDate = (iso: string) =>
  new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  })
    .format(new Date(iso))
    .replaceAll("-", "");

describe("content encryption", () => {
  it("refuses a scoring call without encryption with 400 missing-encrypt-type", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(
      client.sdk.curl("POST", API_PATHS.predict, {
        body: {
          task: "card_risk",
          model_version: "risk-v3-2026-10",
          items: [makeItem(client.merchantId, 1)],
        },
        appAuthToken: client.appAuthToken,
      }),
    );
    expect(err).toMatchObject({ status: 400, code: "missing-encrypt-type" });
  });

  it("answers a body encrypted with an unknown key with 400 invalid-signature", async () => {
    expect(await scoreWith(Buffer.alloc(16, 7).toString("base64"))).toBe("invalid-signature");
  });

  it("answers a body that is not base64 ciphertext with 400 invalid-signature", async () => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.raw(API_PATHS.predict, "%%% not base64 %%%", {
      aesKey: undefined,
      headers: {
        "alipay-encrypt-type": "AES",
        "alipay-encryption-algm": "AES",
        "content-type": "text/plain",
      },
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-signature" });
  });

  it("encrypts a 200 body with the request's key and signs the ciphertext", async () => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.raw(API_PATHS.predict, { items: [makeItem(client.merchantId, 1)] });
    expect(res.status).toBe(200);
    expect(() => JSON.parse(res.rawBody)).toThrow();
    expect(JSON.parse(aesDecrypt(res.rawBody, client.aesKey))).toMatchObject({
      model_version: "risk-v3-2026-10",
    });
    expect(res.signatureValid).toBe(true);
  });

  it("keeps error bodies of encrypted calls in plaintext JSON", async () => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.raw(API_PATHS.predict, { items: [] });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.rawBody)).toMatchObject({ code: "invalid-parameter" });
  });
});

describe("key list", () => {
  it("lists keys of 16 bytes with ids carrying the Shanghai date of not_before", async () => {
    const keys = await listKeys();
    for (const key of keys) {
      expect(Buffer.from(key.aes_key, "base64")).toHaveLength(16);
      expect(key.key_id).toMatch(/^k-\d{8}-\d{2}$/);
      expect(key.key_id.slice(2, 10)).toBe(shanghaiDate(key.not_before));
    }
  });

  it("always holds a key valid at the virtual now", async () => {
    const keys = await listKeys();
    expect(pickKeyAt(keys, await virtualNow(suite.sandbox))).toBeDefined();
  });

  it("rotates the scheduled keys at 18:30 UTC (02:30 Shanghai) every 24 h", async () => {
    const current = pickKeyAt(await listKeys(), await virtualNow(suite.sandbox))!;
    const notBefore = new Date(current.not_before);
    const expiresAt = new Date(current.expires_at);
    expect([notBefore.getUTCHours(), notBefore.getUTCMinutes(), notBefore.getUTCSeconds()]).toEqual([
      18, 30, 0,
    ]);
    expect(expiresAt.getTime() - notBefore.getTime()).toBe(DAY_MS);
  });

  it("agrees with /__sandbox/state about the listed keys", async () => {
    const keys = await listKeys();
    const state = await suite.sandbox.control.state();
    for (const key of keys) {
      const seen = state.keys.find((k) => k.key_id === key.key_id);
      expect(seen).toBeDefined();
      expect(Date.parse(seen!.not_before)).toBe(Date.parse(key.not_before));
      expect(Date.parse(seen!.expires_at)).toBe(Date.parse(key.expires_at));
    }
  });

  it("stays consistent after jumping the clock far ahead", async () => {
    for (const jump of [37 * DAY_MS + 5 * HOUR_MS, 400 * DAY_MS, 13 * HOUR_MS + 7 * MINUTE_MS]) {
      await suite.sandbox.control.advanceClock(jump);
      const now = await virtualNow(suite.sandbox);
      const keys = await listKeys();
      const valid = pickKeyAt(keys, now);
      expect(valid, `no key valid at ${now.toISOString()}`).toBeDefined();
      expect(valid!.key_id.slice(2, 10)).toBe(shanghaiDate(valid!.not_before));
      expect(await scoreWith(valid!.aes_key)).toBe("ok");
    }
  });

  it("re-derives the same keys for the same instant after a reset", async () => {
    await suite.sandbox.control.advanceClock(9 * DAY_MS);
    const before = pickKeyAt(await listKeys(), await virtualNow(suite.sandbox))!;
    await suite.sandbox.reset();
    await suite.sandbox.control.advanceClock(9 * DAY_MS);
    const after = pickKeyAt(await listKeys(), await virtualNow(suite.sandbox))!;
    expect(after).toEqual(before);
  });
});

describe("scheduled rotation", () => {
  /** Moves the virtual clock to `ms` before the end of the key valid now, past a boundary if needed. */
  async function moveToBeforeRotation(ms: number): Promise<{ current: AesKey }> {
    const sb = suite.sandbox;
    let now = await virtualNow(sb);
    let current = pickKeyAt(await listKeys(), now)!;
    if (Date.parse(current.expires_at) - now.getTime() <= ms) {
      await sb.control.advanceClock(Date.parse(current.expires_at) - now.getTime() + MINUTE_MS);
      now = await virtualNow(sb);
      current = pickKeyAt(await listKeys(), now)!;
    }
    await sb.control.advanceClock(Date.parse(current.expires_at) - now.getTime() - ms);
    return { current };
  }

  it("does not list the next key earlier than 60 minutes before its not_before", async () => {
    const { current } = await moveToBeforeRotation(61 * MINUTE_MS);
    const keys = await listKeys();
    expect(keys.map((k) => k.key_id)).toEqual([current.key_id]);
  });

  it("lists the next key 60 minutes ahead but accepts it only from its not_before", async () => {
    const { current } = await moveToBeforeRotation(59 * MINUTE_MS);
    const keys = await listKeys();
    const next = keys.find((k) => k.key_id !== current.key_id);
    expect(next).toBeDefined();
    expect(Date.parse(next!.not_before)).toBe(Date.parse(current.expires_at));
    expect(await scoreWith(next!.aes_key)).toBe("invalid-signature");
    expect(await scoreWith(current.aes_key)).toBe("ok");

    await suite.sandbox.control.advanceClock(60 * MINUTE_MS);
    expect(await scoreWith(next!.aes_key)).toBe("ok");
  });

  it("accepts the old key for 5 minutes after its expiry, then refuses it as invalid-signature", async () => {
    const { current } = await moveToBeforeRotation(MINUTE_MS);
    await suite.sandbox.control.advanceClock(MINUTE_MS + GRACE_MS - 30_000);
    expect(await scoreWith(current.aes_key)).toBe("ok");
    await suite.sandbox.control.advanceClock(60_000);
    expect(await scoreWith(current.aes_key)).toBe("invalid-signature");
  });
});

describe("forced rotation", () => {
  it("publishes a new key valid now and keeps the old one accepted during the grace", async () => {
    const sb = suite.sandbox;
    const old = pickKeyAt(await listKeys(), await virtualNow(sb))!;
    await sb.control.rotateKeys();
    const now = await virtualNow(sb);
    const fresh = pickKeyAt(await listKeys(), now)!;
    expect(fresh.key_id).not.toBe(old.key_id);
    expect(fresh.aes_key).not.toBe(old.aes_key);
    expect(fresh.key_id.slice(2, 10)).toBe(shanghaiDate(fresh.not_before));
    expect(Math.abs(Date.parse(fresh.not_before) - now.getTime())).toBeLessThan(MINUTE_MS);
    expect(await scoreWith(fresh.aes_key)).toBe("ok");
    expect(await scoreWith(old.aes_key)).toBe("ok");
  });

  it("refuses the old key with invalid-signature once the grace has passed", async () => {
    const sb = suite.sandbox;
    const old = pickKeyAt(await listKeys(), await virtualNow(sb))!;
    await sb.control.rotateKeys();
    await sb.control.advanceClock(GRACE_MS + MINUTE_MS);
    expect(await scoreWith(old.aes_key)).toBe("invalid-signature");
  });

  it("continues the schedule from the forced key: the next not_before is its expires_at", async () => {
    const sb = suite.sandbox;
    await sb.control.rotateKeys();
    const forced = pickKeyAt(await listKeys(), await virtualNow(sb))!;
    const now = await virtualNow(sb);
    await sb.control.advanceClock(Date.parse(forced.expires_at) - now.getTime() - 30 * MINUTE_MS);
    const next = (await listKeys()).find((k) => k.key_id !== forced.key_id);
    expect(next).toBeDefined();
    expect(Date.parse(next!.not_before)).toBe(Date.parse(forced.expires_at));
  });
});
