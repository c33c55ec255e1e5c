// Contract section 5: merchant tokens — one-time codes, rotating refresh tokens, the silent drop.
import { API_PATHS, type TokenResponse, tokenResponseSchema } from "@riskq/contracts";
import { createSdk } from "@riskq/testing";
import { useSandbox } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import { apiError, MINUTE_MS, makeItem, makeItems, merchantClient } from "./harness";

const suite = useSandbox();
const TOKEN_TTL_MS = 15 * MINUTE_MS;

function grant(body: Record<string, string>) {
  return createSdk(suite.sandbox)
    .curl<TokenResponse>("POST", API_PATHS.authToken, { body })
    .then((r) => r.data);
}

const refresh = (refreshToken: string) => grant({ grant_type: "refresh_token", refresh_token: refreshToken });

describe("authorisation code exchange", () => {
  it("returns tokens for the merchant with a 15-minute access token", async () => {
    const sb = suite.sandbox;
    const { merchant_id, auth_code } = await sb.control.createMerchant();
    const tokens = tokenResponseSchema.parse(
      await grant({ grant_type: "authorization_code", code: auth_code }),
    );
    expect(tokens).toMatchObject({
      expires_in: 900,
      re_expires_in: 2592000,
      user_id: merchant_id,
      auth_app_id: sb.appId,
    });
    const state = await sb.control.state();
    const merchant = state.merchants.find((m) => m.merchant_id === merchant_id);
    expect(merchant?.revoked).toBe(false);
    const lifetime = Date.parse(merchant!.token_expires_at!) - Date.parse(state.clock.now);
    expect(lifetime).toBeGreaterThan(TOKEN_TTL_MS - MINUTE_MS);
    expect(lifetime).toBeLessThanOrEqual(TOKEN_TTL_MS);
  });

  it("accepts a code only once: the second exchange is 400 invalid-code", async () => {
    const { auth_code } = await suite.sandbox.control.createMerchant();
    await grant({ grant_type: "authorization_code", code: auth_code });
    const err = await apiError(grant({ grant_type: "authorization_code", code: auth_code }));
    expect(err).toMatchObject({ status: 400, code: "invalid-code" });
  });

  it("answers an unknown code with 400 invalid-code", async () => {
    const err = await apiError(grant({ grant_type: "authorization_code", code: "no-such-code" }));
    expect(err).toMatchObject({ status: 400, code: "invalid-code" });
  });

  it("registers the requested merchant id", async () => {
    const { merchant_id } = await suite.sandbox.control.createMerchant("2088123456789012");
    expect(merchant_id).toBe("2088123456789012");
  });
});

describe("refresh", () => {
  it("rotates the refresh token: the response carries a new one that works", async () => {
    const client = await merchantClient(suite.sandbox);
    const first = await refresh(client.appRefreshToken);
    expect(first.app_refresh_token).not.toBe(client.appRefreshToken);
    expect(first.app_auth_token).not.toBe(client.appAuthToken);
    const second = await refresh(first.app_refresh_token);
    expect(second.user_id).toBe(client.merchantId);
    const result = await client.predict({ items: [makeItem(client.merchantId, 1)] }, second.app_auth_token);
    expect(result.results).toHaveLength(1);
  });

  it("answers a reused refresh token with 400 invalid-refresh-token", async () => {
    const client = await merchantClient(suite.sandbox);
    await refresh(client.appRefreshToken);
    const err = await apiError(refresh(client.appRefreshToken));
    expect(err).toMatchObject({ status: 400, code: "invalid-refresh-token" });
  });

  it("revokes all the merchant's tokens when a refresh token is reused", async () => {
    const client = await merchantClient(suite.sandbox);
    const rotated = await refresh(client.appRefreshToken);
    await apiError(refresh(client.appRefreshToken));

    for (const token of [client.appAuthToken, rotated.app_auth_token]) {
      const err = await apiError(client.predict({ items: [makeItem(client.merchantId, 1)] }, token));
      expect(err).toMatchObject({ status: 401, code: "invalid-app-auth-token" });
    }
    expect(await apiError(refresh(rotated.app_refresh_token))).toMatchObject({
      code: "invalid-refresh-token",
    });
    const state = await suite.sandbox.control.state();
    expect(state.merchants.find((m) => m.merchant_id === client.merchantId)?.revoked).toBe(true);
  });

  it("lets a revoked merchant be re-authorised with a fresh code", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await refresh(client.appRefreshToken);
    await apiError(refresh(client.appRefreshToken));
    const code = await sb.control.newAuthCode(client.merchantId);
    const tokens = await grant({ grant_type: "authorization_code", code });
    const result = await client.predict({ items: [makeItem(client.merchantId, 1)] }, tokens.app_auth_token);
    expect(result.results).toHaveLength(1);
  });

  it("keeps the previous access token valid until its own expiry", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.advanceClock(10 * MINUTE_MS);
    const rotated = await refresh(client.appRefreshToken);
    const body = { items: [makeItem(client.merchantId, 1)] };

    expect((await client.predict(body, client.appAuthToken)).results).toHaveLength(1);

    await sb.control.advanceClock(6 * MINUTE_MS); // old token: 16 min old; new one: 6 min
    expect((await client.predict(body, client.appAuthToken)).results).toEqual([]);
    expect((await client.predict(body, rotated.app_auth_token)).results).toHaveLength(1);
  });
});

describe("recovering from expiry", () => {
  it("refreshes a day after the access token expired and scores again", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.advanceClock(24 * 60 * MINUTE_MS);
    const rotated = await refresh(client.appRefreshToken);
    expect(rotated.expires_in).toBe(900);
    const res = await client.predict({ items: [makeItem(client.merchantId, 1)] }, rotated.app_auth_token);
    expect(res.results).toHaveLength(1);
  });
});

describe("token request validation", () => {
  it("answers an unknown grant_type with 400 invalid-parameter", async () => {
    const err = await apiError(grant({ grant_type: "password", code: "x" }));
    expect(err).toMatchObject({ status: 400, code: "invalid-parameter" });
  });
});

describe("token errors on scoring calls", () => {
  it("answers a missing token with 401 invalid-app-auth-token", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(
      client.encryptingSdk.curl("POST", API_PATHS.predict, {
        body: {
          task: "card_risk",
          model_version: "risk-v3-2026-10",
          items: [makeItem(client.merchantId, 1)],
        },
        needEncrypt: true,
      }),
    );
    expect(err).toMatchObject({ status: 401, code: "invalid-app-auth-token" });
  });

  it("answers an unknown token with 401 invalid-app-auth-token", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(
      client.predict({ items: [makeItem(client.merchantId, 1)] }, "not-a-real-token"),
    );
    expect(err).toMatchObject({ status: 401, code: "invalid-app-auth-token" });
  });

  it("reports a revoked token as 401 even after it has also expired", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await refresh(client.appRefreshToken);
    await apiError(refresh(client.appRefreshToken));
    await sb.control.advanceClock(TOKEN_TTL_MS + MINUTE_MS);
    const err = await apiError(client.predict({ items: [makeItem(client.merchantId, 1)] }));
    expect(err).toMatchObject({ status: 401, code: "invalid-app-auth-token" });
  });
});

describe("silent drop on an expired token", () => {
  it("answers 200 with no results once the token is older than 15 minutes", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.advanceClock(TOKEN_TTL_MS + 1_000);
    const res = await client.batch({ items: makeItems(client.merchantId, 5) });
    expect(res.model_version).toBe("risk-v3-2026-10");
    expect(res.results).toEqual([]);
    expect(res.billing).toEqual({
      call_fee: "0.0100",
      item_fees: "0.0000",
      review_fees: "0.0000",
      total: "0.0100",
      currency: "USD",
    });
  });

  it("still scores just before the 15 minutes are up", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.advanceClock(TOKEN_TTL_MS - MINUTE_MS);
    const res = await client.predict({ items: [makeItem(client.merchantId, 1)] });
    expect(res.results).toHaveLength(1);
  });
});

describe("ledger of token events", () => {
  it("counts grants, refreshes, revocations and silent drops", async () => {
    const sb = suite.sandbox;
    const a = await merchantClient(sb);
    const b = await merchantClient(sb);
    const rotated = await refresh(a.appRefreshToken);
    await refresh(rotated.app_refresh_token);
    await apiError(refresh(a.appRefreshToken)); // reuse: refused, a is revoked
    await sb.control.advanceClock(TOKEN_TTL_MS + 1_000);
    await b.predict({ items: [makeItem(b.merchantId, 1)] });
    await b.predict({ items: [makeItem(b.merchantId, 2)] });

    const ledger = await sb.control.ledger();
    expect(ledger).toMatchObject({ token_grants: 2, token_refreshes: 2, revocations: 1, silent_drops: 2 });
    expect(ledger.by_code["invalid-refresh-token"]).toBe(1);
  });
});
