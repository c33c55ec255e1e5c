import { createLogger } from "@riskq/observability";
import { describe, expect, it } from "vitest";
import { SecretBox, SilentDrop } from "../src/index";
import type { MerchantTokenRecord } from "../src/merchant-token-store";
import {
  advanceBoth,
  expireTokenBehindClientsBack,
  itemsOf,
  MODEL,
  memoryLog,
  onboard,
  redisKeys,
  useClientKit,
} from "./support/harness";

describe("what the client logs", () => {
  const suite = useClientKit();

  it("never contains a token, an AES key or a full card fingerprint, through a whole scenario", async () => {
    const log = memoryLog();
    const client = suite.kit.client({
      logger: createLogger({ name: "alipay-test", level: "debug", destination: log.stream }),
    });
    const { merchantId, items } = itemsOf(12, 20);
    const input = { merchantId, task: "card_risk" as const, modelVersion: MODEL, items };
    // secret → what it is: a failure names the kind of secret, never prints the secret itself.
    const secrets = new Map<string, string>();
    const tokenKey = redisKeys.merchantToken(suite.redis.prefix, merchantId);
    const collectTokens = async () => {
      const sealed = await suite.redis.redis.hget(tokenKey, "sealed");
      const record = JSON.parse(
        new SecretBox(suite.kit.secretKey).open(sealed!, tokenKey),
      ) as MerchantTokenRecord;
      secrets.set(record.accessToken, "access token").set(record.refreshToken, "refresh token");
    };
    const collectKeys = async () => {
      for (const key of await client.knownKeys()) secrets.set(key.aesKey, `AES key ${key.keyId}`);
    };

    await onboard(suite.sandbox, client, merchantId);
    await collectTokens();
    expect((await client.scoreBatch(input)).missing).toBeUndefined();
    await collectKeys();
    await client.refreshMerchantToken(merchantId);
    await collectTokens();

    await expireTokenBehindClientsBack(suite.sandbox, suite.kit.clock);
    expect((await client.scoreBatch(input)).missing).toBeInstanceOf(SilentDrop);
    expect((await client.scoreBatch(input)).missing).toBeUndefined();
    await collectTokens();

    await suite.sandbox.control.rotateKeys();
    await advanceBoth(suite.sandbox, suite.kit.clock, 6 * 60_000);
    expect((await client.scoreBatch(input)).missing).toBeUndefined();
    await collectKeys();
    await collectTokens();

    const ledger = await suite.sandbox.control.ledger();
    expect(ledger).toMatchObject({ token_refreshes: 2, silent_drops: 1 });
    expect(secrets.size).toBeGreaterThanOrEqual(8); // 3 token pairs, 2 AES keys
    for (const item of items) secrets.set(item.card_fingerprint!, `card fingerprint of ${item.item_id}`);

    const output = log.text();
    // The scenario did log: onboarding, refreshes, key fetches and the silent drop.
    for (const message of [
      "merchant onboarded",
      "merchant token refreshed",
      "AES keys refreshed",
      "unscored",
    ]) {
      expect(output).toContain(message);
    }
    const leaked = [...secrets].filter(([secret]) => output.includes(secret)).map(([, what]) => what);
    expect(leaked).toEqual([]);
  });
});
