import { API_PATHS } from "@riskq/contracts";
import { signedRequest } from "@riskq/testing";
import { describe, expect, it } from "vitest";
import { AuthCodeOfAnotherMerchant, AuthRevoked, InvalidRequest, SecretBox, SilentDrop } from "../src/index";
import type { MerchantTokenRecord } from "../src/merchant-token-store";
import {
  expireTokenBehindClientsBack,
  itemsOf,
  MODEL,
  onboard,
  redisKeys,
  useClientKit,
} from "./support/harness";

describe("merchant tokens", () => {
  const suite = useClientKit();

  /** The stored record, opened as the client would. */
  async function storedRecord(merchantId: string): Promise<MerchantTokenRecord> {
    const key = redisKeys.merchantToken(suite.redis.prefix, merchantId);
    const sealed = await suite.redis.redis.hget(key, "sealed");
    if (!sealed) throw new Error(`nothing stored at ${key}`);
    return JSON.parse(new SecretBox(suite.kit.secretKey).open(sealed, key)) as MerchantTokenRecord;
  }

  /** Every value under the test's prefix, raw, as someone reading Redis would see it. */
  async function everythingInRedis(): Promise<string> {
    const keys = await suite.redis.redis.keys(`${suite.redis.prefix}*`);
    const values: string[] = [];
    for (const key of keys) {
      const type = await suite.redis.redis.type(key);
      if (type === "string") values.push((await suite.redis.redis.get(key)) ?? "");
      else if (type === "hash") values.push(JSON.stringify(await suite.redis.redis.hgetall(key)));
      else if (type === "set") values.push(JSON.stringify(await suite.redis.redis.smembers(key)));
    }
    return values.join("\n");
  }

  it("stores tokens sealed: Redis holds neither the access nor the refresh token in clear", async () => {
    const client = suite.kit.client();
    const { merchantId } = itemsOf(1, 1);
    await onboard(suite.sandbox, client, merchantId);

    const record = await storedRecord(merchantId);
    expect(record.accessToken).toBe(await client.getMerchantToken(merchantId));
    expect(record.refreshToken.length).toBeGreaterThan(8);
    const raw = await everythingInRedis();
    expect(raw).toContain("v1.");
    expect(raw).not.toContain(record.accessToken);
    expect(raw).not.toContain(record.refreshToken);
  });

  it("refuses an auth code used twice with InvalidRequest", async () => {
    const client = suite.kit.client();
    const { merchantId } = itemsOf(1, 1);
    const code = await onboard(suite.sandbox, client, merchantId);

    const error = await client.onboardMerchant(merchantId, code).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequest);
    expect((error as InvalidRequest).remoteCode).toBe("invalid-code");
  });

  it("refuses another merchant's auth code without naming that merchant, and stores nothing", async () => {
    const client = suite.kit.client();
    const owner = await suite.sandbox.control.createMerchant();
    const { merchant_id } = await suite.sandbox.control.createMerchant();

    const error = await client.onboardMerchant(merchant_id, owner.auth_code).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthCodeOfAnotherMerchant);
    expect(error).toBeInstanceOf(InvalidRequest);
    // Everything the error carries (message, fields, as a log would serialise it) leaves the owner out.
    expect(JSON.stringify({ ...(error as Error), message: (error as Error).message })).not.toContain(
      owner.merchant_id,
    );
    expect((error as Error).message).toContain(`ask merchant ${merchant_id} for a new auth code`);
    await expect(client.getMerchantToken(merchant_id)).rejects.toThrow(/not onboarded/);
  });

  it("reports an expired token's silent drop as SilentDrop, then refreshes and scores on the next call", async () => {
    const client = suite.kit.client();
    const { merchantId, items } = itemsOf(2, 5);
    await onboard(suite.sandbox, client, merchantId);
    const token = await client.getMerchantToken(merchantId);
    await expireTokenBehindClientsBack(suite.sandbox, suite.kit.clock);
    // The sandbox says expired; the client, lagging, still hands out the same token without refreshing.
    const state = await suite.sandbox.control.state();
    expect(Date.parse(state.merchants[0]!.token_expires_at!)).toBeLessThan(Date.parse(state.clock.now));
    expect(await client.getMerchantToken(merchantId)).toBe(token);

    const dropped = await client.scoreBatch({ merchantId, task: "card_risk", modelVersion: MODEL, items });
    expect(dropped.missing).toBeInstanceOf(SilentDrop);
    expect([...(dropped.missing?.itemIds ?? [])]).toEqual(items.map((i) => i.item_id));
    expect(dropped.outcomes.every((o) => "missing" in o)).toBe(true);
    expect((await suite.sandbox.control.ledger()).silent_drops).toBe(1);

    const retried = await client.scoreBatch({ merchantId, task: "card_risk", modelVersion: MODEL, items });
    expect(retried.missing).toBeUndefined();
    expect(retried.outcomes.map((o) => ("result" in o ? o.result.item_id : "missing"))).toEqual(
      items.map((i) => i.item_id),
    );
    const ledger = await suite.sandbox.control.ledger();
    expect(ledger.token_refreshes).toBe(1);
    expect(ledger.silent_drops).toBe(1);
  });

  it("turns a revoked merchant into AuthRevoked, stops calling Alipay for it, and re-onboarding clears it", async () => {
    const client = suite.kit.client();
    const { merchantId, items } = itemsOf(3, 3);
    await onboard(suite.sandbox, client, merchantId);
    // Someone else spends the stored refresh token twice: reuse revokes every token of the merchant.
    const { refreshToken } = await storedRecord(merchantId);
    const refreshByHand = () =>
      signedRequest({
        baseUrl: suite.sandbox.url,
        method: "POST",
        path: API_PATHS.authToken,
        body: { grant_type: "refresh_token", refresh_token: refreshToken },
        appId: suite.sandbox.appId,
        appPrivateKey: suite.sandbox.appPrivateKey,
      });
    expect((await refreshByHand()).status).toBe(200);
    expect((await refreshByHand()).status).toBe(400);
    expect((await suite.sandbox.control.ledger()).revocations).toBe(1);

    const input = { merchantId, task: "card_risk" as const, modelVersion: MODEL, items };
    const first = await client.scoreBatch(input).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(AuthRevoked);
    expect((first as AuthRevoked).remoteCode).toBe("invalid-app-auth-token");

    const callsAfterRevocation = (await suite.sandbox.control.ledger()).calls;
    await expect(client.scoreBatch(input)).rejects.toBeInstanceOf(AuthRevoked);
    await expect(client.getMerchantToken(merchantId)).rejects.toBeInstanceOf(AuthRevoked);
    await expect(client.refreshMerchantToken(merchantId)).rejects.toBeInstanceOf(AuthRevoked);
    expect((await suite.sandbox.control.ledger()).calls).toBe(callsAfterRevocation);

    await client.onboardMerchant(merchantId, await suite.sandbox.control.newAuthCode(merchantId));
    const scored = await client.scoreBatch(input);
    expect(scored.missing).toBeUndefined();
    expect(scored.outcomes.every((o) => "result" in o)).toBe(true);
  });
  it("a late 401 to a call made with the token a re-onboarding replaced does not mark the merchant revoked again", async () => {
    const client = suite.kit.client();
    const { merchantId, items } = itemsOf(4, 3);
    await onboard(suite.sandbox, client, merchantId);
    await client.currentKey(); // keys fetched now, so the only slow call below is the scoring one
    const { refreshToken } = await storedRecord(merchantId);
    const refreshByHand = () =>
      signedRequest({
        baseUrl: suite.sandbox.url,
        method: "POST",
        path: API_PATHS.authToken,
        body: { grant_type: "refresh_token", refresh_token: refreshToken },
        appId: suite.sandbox.appId,
        appPrivateKey: suite.sandbox.appPrivateKey,
      });
    // Refresh-token reuse revokes every token of the merchant on the sandbox.
    expect((await refreshByHand()).status).toBe(200);
    expect((await refreshByHand()).status).toBe(400);

    // A call with the revoked token is refused at once, but its answer takes 1.5 s to come back…
    const control = suite.sandbox.control;
    await control.faults({ latency: { median_ms: 1_500, p99_ms: 1_500 } });
    const input = { merchantId, task: "card_risk" as const, modelVersion: MODEL, items };
    const late = client.scoreBatch(input).catch((e: unknown) => e);
    for (let i = 0; i < 200 && !(await control.ledger()).by_code["invalid-app-auth-token"]; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // …and meanwhile the merchant re-authorises.
    await control.faults({ latency: { profile: "fast" } });
    await client.onboardMerchant(merchantId, await control.newAuthCode(merchantId));
    expect(await late).toBeInstanceOf(AuthRevoked);

    // That 401 was about the replaced token: the merchant stays usable with the new one.
    expect(await client.merchantStatus(merchantId)).toEqual({ state: "active" });
    const scored = await client.scoreBatch(input);
    expect(scored.outcomes.every((o) => "result" in o)).toBe(true);
  });
});
