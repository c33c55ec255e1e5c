// Contract sections 1–2: request authentication and signed responses.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { API_PATHS } from "@riskq/contracts";
import { createSdk, type SignedRequestOptions, signedRequest } from "@riskq/testing";
import { useSandbox } from "@riskq/testing/vitest";
import { authString, formatAuthorization, requestSigningContent, rsaSign } from "@riskq/wire";
import { describe, expect, it } from "vitest";
import { DAY_MS, MINUTE_MS, makeItem, merchantClient } from "./harness";

const suite = useSandbox();

/** A signed key query: the simplest call that succeeds with only app credentials. */
function keyQuery(overrides: Partial<SignedRequestOptions> = {}) {
  const sb = suite.sandbox;
  return signedRequest<{ code?: string; message?: string }>({
    baseUrl: sb.url,
    method: "POST",
    path: API_PATHS.keyQuery,
    body: {},
    appId: sb.appId,
    appPrivateKey: sb.appPrivateKey,
    platformPublicKey: sb.platformPublicKey,
    ...overrides,
  });
}

/**
 * A nonce, timestamp and Authorization header signed over `content` instead of over the request
 * that will carry them: for tests whose point is a signature that does not match what was sent.
 */
function signedOver(content: { method: string; pathWithQuery: string; body: string }) {
  const sb = suite.sandbox;
  const nonce = randomUUID();
  const timestamp = String(Date.now());
  const auth = authString({ appId: sb.appId, nonce, timestamp });
  const sign = rsaSign(requestSigningContent({ auth, ...content }), sb.appPrivateKey);
  return {
    nonce,
    timestamp,
    authorization: formatAuthorization({ appId: sb.appId, nonce, timestamp, sign }),
  };
}

describe("request authentication", () => {
  it("accepts a correctly signed request", async () => {
    const res = await keyQuery();
    expect(res.status).toBe(200);
  });

  it("answers a missing authorization header with 400 missing-signature", async () => {
    const res = await keyQuery({ authorization: null });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "missing-signature", message: "missing authorization" });
  });

  it("answers a malformed authorization header with 400 missing-signature", async () => {
    const res = await keyQuery({ authorization: "ALIPAY-SHA256withRSA app_id=2021000000000001,sign=abc" });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "missing-signature" });
  });

  it("answers an unknown app_id with 400 invalid-app-id", async () => {
    const res = await keyQuery({ appId: "2021999999999999" });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-app-id", message: "invalid app_id" });
  });

  it("answers a timestamp more than 5 minutes old with 400 illegal-timestamp", async () => {
    const res = await keyQuery({ timestamp: Date.now() - 6 * MINUTE_MS });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "illegal-timestamp", message: "timestamp out of range" });
  });

  it("answers a timestamp more than 5 minutes ahead with 400 illegal-timestamp", async () => {
    const res = await keyQuery({ timestamp: Date.now() + 6 * MINUTE_MS });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "illegal-timestamp" });
  });

  it("accepts a timestamp 4 minutes old", async () => {
    const res = await keyQuery({ timestamp: Date.now() - 4 * MINUTE_MS });
    expect(res.status).toBe(200);
  });

  it("checks timestamps on real time, not the virtual clock", async () => {
    await suite.sandbox.control.advanceClock(3 * DAY_MS);
    const res = await keyQuery();
    expect(res.status).toBe(200);
  });

  it("answers a replayed nonce with 400 invalid-signature", async () => {
    const nonce = randomUUID();
    const first = await keyQuery({ nonce });
    const replay = await keyQuery({ nonce });
    expect(first.status).toBe(200);
    expect(replay.status).toBe(400);
    expect(replay.json).toMatchObject({
      code: "invalid-signature",
      message: "signature verification failed",
    });
  });

  it("keeps refusing a replayed nonce after the virtual clock jumps ahead", async () => {
    const nonce = randomUUID();
    await keyQuery({ nonce });
    await suite.sandbox.control.advanceClock(30 * MINUTE_MS);
    const replay = await keyQuery({ nonce });
    expect(replay.json).toMatchObject({ code: "invalid-signature" });
  });

  it("verifies the signature over the path with its query string", async () => {
    const res = await createSdk(suite.sandbox).curl("GET", API_PATHS.pricing, { query: { lang: "en" } });
    expect(res.responseHttpStatus).toBe(200);
  });

  it("refuses a signature over the path without its query string", async () => {
    const res = await keyQuery({
      method: "GET",
      path: `${API_PATHS.pricing}?lang=en`,
      body: undefined,
      ...signedOver({ method: "GET", pathWithQuery: API_PATHS.pricing, body: "" }),
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-signature" });
  });

  it("answers a signature made with another key with 400 invalid-signature", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const res = await keyQuery({
      appPrivateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-signature", message: "signature verification failed" });
  });

  it("answers a signature over a different body with 400 invalid-signature", async () => {
    const res = await keyQuery({
      ...signedOver({ method: "POST", pathWithQuery: API_PATHS.keyQuery, body: '{"a":1}' }),
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-signature" });
  });

  it("answers a token header left out of the signature with 400 invalid-signature", async () => {
    const res = await keyQuery({
      headers: { "alipay-app-auth-token": "some-token" },
      ...signedOver({ method: "POST", pathWithQuery: API_PATHS.keyQuery, body: "{}" }),
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-signature" });
  });

  it("checks app_id before the timestamp", async () => {
    const res = await keyQuery({ appId: "2021999999999999", timestamp: Date.now() - 10 * MINUTE_MS });
    expect(res.json).toMatchObject({ code: "invalid-app-id" });
  });

  it("checks the timestamp before the signature", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const res = await keyQuery({
      timestamp: Date.now() - 10 * MINUTE_MS,
      appPrivateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    });
    expect(res.json).toMatchObject({ code: "illegal-timestamp" });
  });

  it("works with the official SDK unmodified", async () => {
    const res = await createSdk(suite.sandbox).curl("POST", API_PATHS.keyQuery, { body: {} });
    expect(res.responseHttpStatus).toBe(200);
  });
});

describe("signed responses", () => {
  it("carries trace id, timestamp, nonce and a platform signature on success", async () => {
    const res = await keyQuery();
    expect(res.status).toBe(200);
    expect(res.headers["alipay-trace-id"]).toBeTruthy();
    expect(res.headers["alipay-timestamp"]).toMatch(/^\d{13}$/);
    expect(res.headers["alipay-nonce"]).toBeTruthy();
    expect(res.signatureValid).toBe(true);
  });

  it("carries the same headers and a valid signature on errors", async () => {
    const res = await keyQuery({ authorization: null });
    expect(res.status).toBe(400);
    expect(res.headers["alipay-trace-id"]).toBeTruthy();
    expect(res.headers["alipay-timestamp"]).toMatch(/^\d{13}$/);
    expect(res.headers["alipay-nonce"]).toBeTruthy();
    expect(res.signatureValid).toBe(true);
  });

  it("signs 401, 429, 500 and 503 responses too", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    const body = { items: [makeItem(client.merchantId, 1)] };
    const unauthorised = await client.raw(API_PATHS.predict, body, { appAuthToken: "unknown" });
    await sb.control.faults({ error_rates: { "500": 1 } });
    const failed = await client.raw(API_PATHS.predict, body);
    await sb.control.faults({ error_rates: { "500": 0, "503": 1 } });
    const unavailable = await client.raw(API_PATHS.predict, body);
    await sb.control.faults({ error_rates: { "503": 0 }, rate_limits: { app_qps: 0.01, app_burst: 1 } });
    await keyQuery();
    const limited = await keyQuery();
    expect([unauthorised, limited, failed, unavailable].map((r) => r.status)).toEqual([401, 429, 500, 503]);
    for (const res of [unauthorised, limited, failed, unavailable]) {
      expect(res.signatureValid).toBe(true);
      expect(res.headers["alipay-trace-id"]).toBeTruthy();
    }
  });

  it("gives each response its own nonce and trace id", async () => {
    const a = await keyQuery();
    const b = await keyQuery();
    expect(a.headers["alipay-nonce"]).not.toBe(b.headers["alipay-nonce"]);
    expect(a.headers["alipay-trace-id"]).not.toBe(b.headers["alipay-trace-id"]);
  });

  it("uses the documented error body shape", async () => {
    const res = await keyQuery({ appId: "2021999999999999" });
    const body = res.json as {
      code: unknown;
      message: unknown;
      links: Array<{ link: unknown; desc: unknown }>;
    };
    expect(Object.keys(body).sort()).toEqual(["code", "links", "message"]);
    expect(body.links.length).toBeGreaterThan(0);
    expect(body.links[0]).toEqual({ link: expect.any(String), desc: "solution" });
  });
});
