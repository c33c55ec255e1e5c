// Contract sections 4, 5.1 and 10: start-up knobs for token and key lifetimes, seed and app id.
import { type AesKey, API_PATHS, type TokenResponse } from "@riskq/contracts";
import { createSdk, pickKeyAt } from "@riskq/testing";
import { useSandbox } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import { apiError, makeItem, merchantClient, virtualNow } from "./harness";

const suite = useSandbox({
  seed: 42,
  appId: "2021000000000777",
  env: { SANDBOX_TOKEN_TTL_S: "120", SANDBOX_KEY_LIFETIME_S: "7200", SANDBOX_KEY_GRACE_S: "60" },
});

async function listKeys(): Promise<AesKey[]> {
  return (await createSdk(suite.sandbox).curl<{ keys: AesKey[] }>("POST", API_PATHS.keyQuery, { body: {} }))
    .data.keys;
}

describe("start-up knobs", () => {
  it("uses SANDBOX_APP_ID as the app id", async () => {
    const sb = suite.sandbox;
    const { auth_code } = await sb.control.createMerchant();
    const res = await createSdk(sb).curl<TokenResponse>("POST", API_PATHS.authToken, {
      body: { grant_type: "authorization_code", code: auth_code },
    });
    expect(res.data.auth_app_id).toBe("2021000000000777");
    const err = await apiError(
      createSdk({ ...sb, appId: "2021000000000001" }).curl("POST", API_PATHS.keyQuery, { body: {} }),
    );
    expect(err).toMatchObject({ status: 400, code: "invalid-app-id" });
  });

  it("issues access tokens that live SANDBOX_TOKEN_TTL_S", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    expect(client.appAuthToken).toBeTruthy();
    const state = await sb.control.state();
    const merchant = state.merchants.find((m) => m.merchant_id === client.merchantId)!;
    expect(Date.parse(merchant.token_expires_at!) - Date.parse(state.clock.now)).toBeLessThanOrEqual(120_000);
    expect(Date.parse(merchant.token_expires_at!) - Date.parse(state.clock.now)).toBeGreaterThan(100_000);
    await sb.control.advanceClock(121_000);
    const res = await client.predict({ items: [makeItem(client.merchantId, 1)] });
    expect(res.results).toEqual([]);
  });

  it("reports SANDBOX_TOKEN_TTL_S as expires_in", async () => {
    const sb = suite.sandbox;
    const { auth_code } = await sb.control.createMerchant();
    const res = await createSdk(sb).curl<TokenResponse>("POST", API_PATHS.authToken, {
      body: { grant_type: "authorization_code", code: auth_code },
    });
    expect(res.data.expires_in).toBe(120);
  });

  it("gives keys the lifetime SANDBOX_KEY_LIFETIME_S", async () => {
    const key = pickKeyAt(await listKeys(), await virtualNow(suite.sandbox))!;
    expect(Date.parse(key.expires_at) - Date.parse(key.not_before)).toBe(7_200_000);
  });

  it("accepts an old key only for SANDBOX_KEY_GRACE_S after its expiry", async () => {
    const sb = suite.sandbox;
    const old = pickKeyAt(await listKeys(), await virtualNow(sb))!;
    await sb.control.rotateKeys();
    await sb.control.advanceClock(90_000);
    const client = await merchantClient(sb);
    const err = await apiError(
      createSdk(sb, { encryptKey: old.aes_key }).curl("POST", API_PATHS.predict, {
        body: {
          task: "card_risk",
          model_version: "risk-v3-2026-10",
          items: [makeItem(client.merchantId, 1)],
        },
        needEncrypt: true,
        appAuthToken: client.appAuthToken,
      }),
    );
    expect(err).toMatchObject({ status: 400, code: "invalid-signature" });
  });
});
