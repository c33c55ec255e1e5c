import { generateKeyPairSync, randomBytes } from "node:crypto";
import { nextKeyRotation } from "@riskq/testing";
import { describe, expect, it } from "vitest";
import { KeyRejected, type KnownKey, SecretBox } from "../src/index";
import {
  advanceBoth,
  awayFromKeyRotation,
  itemsOf,
  MODEL,
  onboard,
  redisKeys,
  useClientKit,
} from "./support/harness";

const HOUR_MS = 3_600_000;
const GRACE_MS = 5 * 60_000;

describe("AES keys", () => {
  const suite = useClientKit();

  /** Replaces the client's stored key list, sealed exactly as the client seals it. */
  async function storeKeys(keys: KnownKey[]): Promise<void> {
    const name = redisKeys.aesKeys(suite.redis.prefix);
    await suite.redis.redis.set(name, new SecretBox(suite.kit.secretKey).seal(JSON.stringify(keys), name));
  }

  /** A key Alipay never issued, in force from an hour ago for a week (so nothing prompts a refetch). */
  function bogusKey(now: number, notBefore = now - HOUR_MS): KnownKey {
    return {
      keyId: "k-bogus-01",
      aesKey: randomBytes(16).toString("base64"),
      notBefore,
      expiresAt: now + 7 * 24 * HOUR_MS,
    };
  }

  async function invalidSignatures(): Promise<number> {
    return (await suite.sandbox.control.ledger()).by_code["invalid-signature"] ?? 0;
  }

  it("keeps scoring across a forced rotation once the old key's grace is over", async () => {
    const client = suite.kit.client();
    const { merchantId, items } = itemsOf(4, 3);
    await onboard(suite.sandbox, client, merchantId);
    const oldKeyIds = (await client.fetchKeys()).map((k) => k.keyId);

    await suite.sandbox.control.rotateKeys();
    const keysAfter = (await suite.sandbox.control.state()).keys;
    const newest = keysAfter.reduce((a, b) => (Date.parse(a.not_before) >= Date.parse(b.not_before) ? a : b));
    expect(oldKeyIds).not.toContain(newest.key_id);
    await advanceBoth(suite.sandbox, suite.kit.clock, GRACE_MS + 60_000);

    const scored = await client.scoreBatch({ merchantId, task: "card_risk", modelVersion: MODEL, items });
    expect(scored.missing).toBeUndefined();
    expect(scored.outcomes.every((o) => "result" in o)).toBe(true);
    expect((await client.knownKeys()).map((k) => k.keyId)).toContain(newest.key_id);
    expect((await client.currentKey()).keyId).toBe(newest.key_id);
  });

  it("recovers with one refetch when a forced rotation cancels the next key it already fetched", async () => {
    const client = suite.kit.client();
    const { merchantId, items } = itemsOf(4, 3);
    // Half an hour before the scheduled rotation, the client learns the next key early. (When that
    // rotation is less than half an hour away at the wall-clock time the test runs, first past it.)
    await awayFromKeyRotation(suite.sandbox, suite.kit.clock);
    const { now, at: scheduled } = nextKeyRotation(await suite.sandbox.control.state());
    await advanceBoth(suite.sandbox, suite.kit.clock, scheduled - now - 30 * 60_000);
    expect((await client.fetchKeys()).some((k) => k.notBefore === scheduled)).toBe(true);
    // A forced rotation restarts the schedule: the key due at `scheduled` will never be accepted.
    await suite.sandbox.control.rotateKeys();
    const forced = (await suite.sandbox.control.state()).keys.find(
      (k) => Date.parse(k.not_before) < scheduled,
    );
    await advanceBoth(suite.sandbox, suite.kit.clock, 31 * 60_000);
    await onboard(suite.sandbox, client, merchantId);

    const scored = await client.scoreBatch({ merchantId, task: "card_risk", modelVersion: MODEL, items });

    expect(scored.missing).toBeUndefined();
    expect(await invalidSignatures()).toBe(1);
    expect((await client.currentKey()).notBefore).toBe(Date.parse(forced!.not_before));
    expect((await client.knownKeys()).some((k) => k.notBefore === scheduled)).toBe(false);
  });

  it("drops a stored key that the fetched list contradicts, even one newer than the real key", async () => {
    const client = suite.kit.client();
    const { merchantId, items } = itemsOf(4, 3);
    await onboard(suite.sandbox, client, merchantId);
    const now = suite.kit.clock.now();
    const real = (await suite.sandbox.control.state()).keys.find(
      (k) => Date.parse(k.not_before) <= now && now < Date.parse(k.expires_at),
    );
    // Starts after the real key (between it and now) and claims the whole week ahead.
    const realStart = Date.parse(real!.not_before);
    await storeKeys([bogusKey(now, realStart + Math.floor((now - realStart) / 2))]);

    const scored = await client.scoreBatch({ merchantId, task: "card_risk", modelVersion: MODEL, items });

    expect(scored.missing).toBeUndefined();
    expect(await invalidSignatures()).toBe(1);
    expect((await client.knownKeys()).map((k) => k.keyId)).toEqual(
      expect.not.arrayContaining(["k-bogus-01"]),
    );
    expect((await client.currentKey()).keyId).toBe(real!.key_id);
  });

  it("repairs a wrong stored key: invalid-signature, refetch, one successful retry", async () => {
    const client = suite.kit.client();
    const { merchantId, items } = itemsOf(4, 3);
    await onboard(suite.sandbox, client, merchantId);
    // Older than any real key, so once the real keys are known the client prefers them.
    await storeKeys([bogusKey(suite.kit.clock.now(), suite.kit.clock.now() - 3 * 24 * HOUR_MS)]);

    const scored = await client.scoreBatch({ merchantId, task: "card_risk", modelVersion: MODEL, items });
    expect(scored.missing).toBeUndefined();
    expect(await invalidSignatures()).toBe(1);
    expect((await client.currentKey()).keyId).not.toBe("k-bogus-01");
  });

  it("gives KeyRejected when the rejection survives the refetch (an app key Alipay does not know)", async () => {
    const good = suite.kit.client();
    const { merchantId, items } = itemsOf(4, 3);
    await awayFromKeyRotation(suite.sandbox, suite.kit.clock);
    await onboard(suite.sandbox, good, merchantId);
    await good.fetchKeys();
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const impostor = suite.kit.client({ appPrivateKey: privateKey });
    const callsBefore = (await suite.sandbox.control.ledger()).calls;

    const error = await impostor
      .scoreBatch({ merchantId, task: "card_risk", modelVersion: MODEL, items })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KeyRejected);
    expect((error as KeyRejected).retryable).toBe(false);
    expect((error as KeyRejected).deadLetterReason).toBe("key_rejected");
    // The scoring call, then the key refetch it triggers; nothing else, and no endless retrying.
    const ledger = await suite.sandbox.control.ledger();
    expect(ledger.calls - callsBefore).toBe(2);
    expect(ledger.by_code["invalid-signature"]).toBe(2);
  });

  it("probeKeyHealth: healthy with the fetched key", async () => {
    const client = suite.kit.client();
    const fetched = await client.fetchKeys();
    const health = await client.probeKeyHealth();
    expect(health.healthy).toBe(true);
    expect(fetched.map((k) => k.keyId)).toContain(health.keyId);
    // A canary, not a billed call: the remote answered 401 on the missing token.
    const ledger = await suite.sandbox.control.ledger();
    expect(ledger.by_code["invalid-app-auth-token"]).toBe(1);
    expect(ledger.items).toBe(0);
  });

  it("probeKeyHealth: not healthy with a stored key Alipay does not accept", async () => {
    const client = suite.kit.client();
    await storeKeys([bogusKey(suite.kit.clock.now())]);

    const health = await client.probeKeyHealth();

    expect(health).toMatchObject({ healthy: false, keyId: "k-bogus-01" });
    expect(await invalidSignatures()).toBe(1);
  });
});
