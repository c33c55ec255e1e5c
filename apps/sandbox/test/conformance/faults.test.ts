// Contract section 8: injected faults and the order in which the server checks a request.
import { generateKeyPairSync } from "node:crypto";
import { API_PATHS } from "@riskq/contracts";
import { createSdk } from "@riskq/testing";
import { useSandbox } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import { apiError, MINUTE_MS, makeItem, makeItems, merchantClient, setAccountAge } from "./harness";

const suite = useSandbox();

describe("injected faults", () => {
  it("answers every call with 500 unknow-error at rate 1", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.faults({ error_rates: { "500": 1 } });
    const err = await apiError(client.predict({ items: [makeItem(client.merchantId, 1)] }));
    expect(err).toMatchObject({ status: 500, code: "unknow-error" });
  });

  it("answers every call with 503 service-unavailable at rate 1", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.faults({ error_rates: { "503": 1 } });
    const err = await apiError(client.batch({ items: makeItems(client.merchantId, 3) }));
    expect(err).toMatchObject({ status: 503, code: "service-unavailable" });
  });

  it("returns the full fault state from POST /__sandbox/faults", async () => {
    const faults = await suite.sandbox.control.faults({ error_rates: { "503": 0.25 } });
    expect(faults.error_rates["503"]).toBe(0.25);
    expect(faults.rate_limits).toEqual({ app_qps: 20, app_burst: 20, batch_qps: 10, batch_burst: 10 });
    expect(faults.latency).toBeDefined();
  });

  it("does not bill faulted calls", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.faults({ error_rates: { "500": 1 } });
    await apiError(client.batch({ items: makeItems(client.merchantId, 5) }));
    const ledger = await sb.control.ledger();
    expect(ledger.cost_usd).toBe(0);
    expect(ledger.items).toBe(0);
    expect(ledger.by_code["unknow-error"]).toBe(1);
  });
});

describe("order of checks", () => {
  const forgedKey = () =>
    generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs1", format: "pem" })
      .toString();

  it("answers a bad signature before the rate limit", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.faults({ rate_limits: { app_qps: 0.01, app_burst: 1 } });
    await client.sdk.curl("POST", API_PATHS.keyQuery, { body: {} }); // empties the bucket
    const res = await client.raw(
      API_PATHS.predict,
      { items: [makeItem(client.merchantId, 1)] },
      { appPrivateKey: forgedKey() },
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-signature" });
  });

  it("answers a replayed nonce before the rate limit", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    const first = await client.raw(API_PATHS.predict, { items: [makeItem(client.merchantId, 1)] });
    await sb.control.faults({ rate_limits: { app_qps: 0.01, app_burst: 1 } });
    await client.sdk.curl("POST", API_PATHS.keyQuery, { body: {} }); // empties the bucket
    const replay = await client.raw(
      API_PATHS.predict,
      { items: [makeItem(client.merchantId, 1)] },
      { nonce: first.nonce },
    );
    expect(replay.status).toBe(400);
    expect(replay.json).toMatchObject({ code: "invalid-signature" });
  });

  it("answers the app bucket before the method bucket", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.faults({
      rate_limits: { app_qps: 0.01, app_burst: 1, batch_qps: 0.01, batch_burst: 1 },
    });
    await client.batch({ items: [makeItem(client.merchantId, 1)] }); // empties both buckets
    const err = await apiError(client.batch({ items: [makeItem(client.merchantId, 2)] }));
    expect(err).toMatchObject({ status: 429, code: "app-call-limited" });
  });

  it("answers the method bucket before an injected fault", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.faults({ rate_limits: { batch_qps: 0.01, batch_burst: 1 } });
    await client.batch({ items: [makeItem(client.merchantId, 1)] }); // empties the batch bucket
    await sb.control.faults({ error_rates: { "500": 1 } });
    const err = await apiError(client.batch({ items: [makeItem(client.merchantId, 2)] }));
    expect(err).toMatchObject({ status: 429, code: "method-call-limited" });
  });

  it("answers the rate limit before an injected fault", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.faults({ rate_limits: { app_qps: 0.01, app_burst: 1 }, error_rates: { "500": 1 } });
    // Spends the only token (whether or not the fault also hits this call).
    await client.sdk.curl("POST", API_PATHS.keyQuery, { body: {} }).catch(() => undefined);
    const err = await apiError(client.predict({ items: [makeItem(client.merchantId, 1)] }));
    expect(err).toMatchObject({ status: 429, code: "app-call-limited" });
  });

  it("answers an injected fault before a missing encryption header", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.faults({ error_rates: { "500": 1 } });
    const err = await apiError(
      client.sdk.curl("POST", API_PATHS.predict, {
        body: { task: "card_risk", items: [makeItem(client.merchantId, 1)] },
        appAuthToken: client.appAuthToken,
      }),
    );
    expect(err).toMatchObject({ status: 500, code: "unknow-error" });
  });

  it("answers a missing encryption header before a missing token", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(
      client.sdk.curl("POST", API_PATHS.predict, {
        body: { task: "card_risk", items: [makeItem(client.merchantId, 1)] },
      }),
    );
    expect(err).toMatchObject({ status: 400, code: "missing-encrypt-type" });
  });

  it("answers an undecryptable body before a missing token", async () => {
    const client = await merchantClient(suite.sandbox);
    const res = await client.raw(
      API_PATHS.predict,
      { items: [makeItem(client.merchantId, 1)] },
      { aesKey: Buffer.alloc(16, 3).toString("base64"), appAuthToken: undefined },
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid-signature" });
  });

  it("answers an unknown token before payload validation", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(client.predict({ items: makeItems(client.merchantId, 2) }, "unknown-token"));
    expect(err).toMatchObject({ status: 401, code: "invalid-app-auth-token" });
  });

  it("answers payload validation before the model version", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(
      client.predict({
        model_version: "risk-v0-1999-01",
        items: [makeItem(client.merchantId, 1, { amount: "1" })],
      }),
    );
    expect(err).toMatchObject({ status: 400, code: "invalid-parameter" });
  });

  it("answers the model version before a merchant mismatch", async () => {
    const client = await merchantClient(suite.sandbox);
    const err = await apiError(
      client.predict({ model_version: "risk-v0-1999-01", items: [makeItem("2088999988887777", 1)] }),
    );
    expect(err).toMatchObject({ status: 400, code: "invalid-model-version" });
  });

  it("answers a merchant mismatch even when the token has expired", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.advanceClock(16 * MINUTE_MS);
    const err = await apiError(client.predict({ items: [makeItem("2088999988887777", 1)] }));
    expect(err).toMatchObject({ status: 400, code: "invalid-parameter" });
  });

  it("silently drops an expired token's call before truncating a young account's batch", async () => {
    const sb = suite.sandbox;
    await setAccountAge(sb, 10);
    const client = await merchantClient(sb);
    await sb.control.advanceClock(16 * MINUTE_MS);
    const res = await client.batch({ items: makeItems(client.merchantId, 60) });
    expect(res.results).toEqual([]);
    expect(res.billing.total).toBe("0.0100");
    const ledger = await sb.control.ledger();
    expect(ledger).toMatchObject({ silent_drops: 1, truncations: 0 });
  });

  it("answers unknown app_id before anything that needs the app's key", async () => {
    const sb = suite.sandbox;
    await sb.control.faults({ error_rates: { "500": 1 } });
    const err = await apiError(
      createSdk({ ...sb, appId: "2021999999999999" }).curl("POST", API_PATHS.keyQuery, { body: {} }),
    );
    expect(err).toMatchObject({ status: 400, code: "invalid-app-id" });
  });
});
