// Contract section 2: bad requests get documented errors, never crashes or stack traces.
import { API_PATHS } from "@riskq/contracts";
import { type SignedRequestOptions, type SignedResponse, signedRequest } from "@riskq/testing";
import { useSandbox } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import { makeItem, merchantClient } from "./harness";

const suite = useSandbox();

function signed(overrides: Partial<SignedRequestOptions> & Pick<SignedRequestOptions, "method" | "path">) {
  const sb = suite.sandbox;
  return signedRequest<{ code?: string; message?: string }>({
    baseUrl: sb.url,
    appId: sb.appId,
    appPrivateKey: sb.appPrivateKey,
    platformPublicKey: sb.platformPublicKey,
    ...overrides,
  });
}

/** Signs of a leaked stack trace or internal detail in an error body. */
function expectNoInternals(res: SignedResponse) {
  expect(res.rawBody).not.toMatch(/\n\s+at |\.ts:\d+|\.js:\d+|node:internal|Error:/);
}

describe("routing", () => {
  it("answers an unknown path with 400 invalid-method", async () => {
    const res = await signed({ method: "POST", path: "/v3/alipay/security/risk/ai/no-such-thing", body: {} });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-method" });
    expect(res.signatureValid).toBe(true);
  });

  it("answers GET on a POST-only endpoint with 400 invalid-method", async () => {
    const res = await signed({ method: "GET", path: API_PATHS.keyQuery });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-method" });
  });

  it("answers POST on the GET-only pricing endpoint with 400 invalid-method", async () => {
    const res = await signed({ method: "POST", path: API_PATHS.pricing, body: {} });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-method" });
  });

  it("answers an unsupported method on a scoring path with 400 invalid-method", async () => {
    const res = await signed({ method: "DELETE", path: API_PATHS.predict, body: "" });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-method" });
  });
});

describe("request bodies", () => {
  it("answers a body over 1 MiB with 413 request-too-large", async () => {
    const body = JSON.stringify({ padding: "x".repeat(1024 * 1024) });
    const res = await signed({ method: "POST", path: API_PATHS.authToken, body });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ code: "request-too-large" });
    expect(res.signatureValid).toBe(true);
  });

  it("accepts a body just under 1 MiB as far as size goes", async () => {
    // A valid-size body with an unknown field: whatever the answer, it is not request-too-large.
    const body = JSON.stringify({
      grant_type: "authorization_code",
      code: "nope",
      pad: "x".repeat(1000 * 1000),
    });
    const res = await signed({ method: "POST", path: API_PATHS.authToken, body });
    expect(res.status).not.toBe(413);
  });

  it("answers malformed JSON on the token endpoint with 400 invalid-parameter", async () => {
    const res = await signed({ method: "POST", path: API_PATHS.authToken, body: '{"grant_type": "authori' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-parameter" });
    expectNoInternals(res);
  });

  it("answers a JSON array where an object is expected with 400 invalid-parameter", async () => {
    const res = await signed({ method: "POST", path: API_PATHS.authToken, body: "[1,2,3]" });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-parameter" });
  });

  it("answers a wrong content-type with 400 invalid-parameter", async () => {
    const res = await signed({
      method: "POST",
      path: API_PATHS.authToken,
      body: JSON.stringify({ grant_type: "authorization_code", code: "x" }),
      contentType: "application/xml",
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-parameter" });
  });

  it("answers a scoring body that decrypts to malformed JSON with 400 invalid-parameter", async () => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.raw(API_PATHS.predict, '{"task":"card_risk","items":[');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-parameter" });
    expectNoInternals(res);
  });

  it("answers an encrypted scoring call sent as application/json with 400 invalid-parameter", async () => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.raw(
      API_PATHS.predict,
      { items: [makeItem(client.merchantId, 1)] },
      { contentType: "application/json" },
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-parameter" });
  });

  it("keeps serving after a burst of garbage requests", async () => {
    const garbage = ["", "null", "{", "\u0000\u0001", '{"items":null}', "x".repeat(5000)];
    const answers = await Promise.all(
      garbage.map((body) => signed({ method: "POST", path: API_PATHS.authToken, body })),
    );
    for (const res of answers) {
      expect(res.status).toBe(400);
      expectNoInternals(res);
    }
    const ok = await signed({ method: "POST", path: API_PATHS.keyQuery, body: {} });
    expect(ok.status).toBe(200);
  });
});

describe("error bodies", () => {
  it("never include a stack trace, whatever the error", async () => {
    const client = await merchantClient(suite.sandbox);
    const answers = await Promise.all([
      signed({ method: "POST", path: "/v3/unknown", body: {} }),
      signed({ method: "POST", path: API_PATHS.authToken, body: "{{{" }),
      signed({ method: "POST", path: API_PATHS.keyQuery, body: {}, authorization: "garbage" }),
      client.raw(API_PATHS.predict, { items: [{ item_id: 42 }] }),
      client.raw(API_PATHS.batchPredict, "not even json"),
      client.raw(
        API_PATHS.predict,
        { items: [makeItem(client.merchantId, 1)] },
        { aesKey: "AAAAAAAAAAAAAAAAAAAAAA==" },
      ),
    ]);
    for (const res of answers) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.json).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      expectNoInternals(res);
    }
  });

  it("send no Retry-After header on 429", async () => {
    const sb = suite.sandbox;
    await sb.control.faults({ rate_limits: { app_qps: 1, app_burst: 1 } });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => signed({ method: "POST", path: API_PATHS.keyQuery, body: {} })),
    );
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const res of limited) {
      expect(res.headers["retry-after"]).toBeUndefined();
      expect(res.json).toMatchObject({ code: "app-call-limited" });
    }
  });
});

describe("ledger of refused requests", () => {
  it("counts every /v3 request, including unauthenticated, unknown and oversized ones", async () => {
    const sb = suite.sandbox;
    await signed({ method: "POST", path: API_PATHS.keyQuery, body: {}, authorization: null });
    await signed({ method: "POST", path: "/v3/alipay/security/risk/ai/no-such-thing", body: {} });
    await signed({ method: "POST", path: API_PATHS.authToken, body: "x".repeat(1024 * 1024 + 1) });
    const ledger = await sb.control.ledger();
    expect(ledger.calls).toBe(3);
    expect(ledger.by_status).toEqual({ "400": 2, "413": 1 });
    expect(ledger.by_code).toEqual({ "missing-signature": 1, "invalid-method": 1, "request-too-large": 1 });
  });

  it("does not count control calls", async () => {
    const sb = suite.sandbox;
    await sb.control.state();
    await sb.control.createMerchant();
    expect((await sb.control.ledger()).calls).toBe(0);
  });
});
