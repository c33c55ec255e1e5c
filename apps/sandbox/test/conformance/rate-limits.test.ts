// Contract section 7: per-app and per-method token buckets.
import { API_PATHS } from "@riskq/contracts";
import { createSdk } from "@riskq/testing";
import { useSandbox } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import { apiError, type MerchantClient, makeItem, merchantClient } from "./harness";

const suite = useSandbox();

/** Runs calls concurrently; returns the error codes of the failures ("ok" for successes). */
async function outcomes(calls: Array<Promise<unknown>>): Promise<string[]> {
  return Promise.all(
    calls.map((c) =>
      c.then(
        () => "ok",
        (e: { code?: string; responseHttpStatus?: number }) => `${e.responseHttpStatus} ${e.code}`,
      ),
    ),
  );
}

const batchOf = (client: MerchantClient, n: number) =>
  client.batch({ items: [makeItem(client.merchantId, n)] });

describe("app bucket", () => {
  it("answers calls over the app limit with 429 app-call-limited", async () => {
    const sb = suite.sandbox;
    await sb.control.faults({ rate_limits: { app_qps: 1, app_burst: 3 } });
    const sdk = createSdk(sb);
    const results = await outcomes(
      Array.from({ length: 12 }, () => sdk.curl("POST", API_PATHS.keyQuery, { body: {} })),
    );
    expect(results).toContain("ok");
    expect(results).toContain("429 app-call-limited");
    expect(results.every((r) => r === "ok" || r === "429 app-call-limited")).toBe(true);
  });

  it("counts every /v3 method against the app bucket, token and pricing calls included", async () => {
    const sb = suite.sandbox;
    await sb.control.faults({ rate_limits: { app_qps: 1, app_burst: 2 } });
    const sdk = createSdk(sb);
    const results = await outcomes([
      sdk.curl("GET", API_PATHS.pricing),
      sdk.curl("GET", API_PATHS.pricing),
      sdk.curl("POST", API_PATHS.authToken, { body: { grant_type: "authorization_code", code: "x" } }),
      sdk.curl("POST", API_PATHS.authToken, { body: { grant_type: "authorization_code", code: "y" } }),
      sdk.curl("POST", API_PATHS.keyQuery, { body: {} }),
      sdk.curl("POST", API_PATHS.keyQuery, { body: {} }),
    ]);
    expect(results.filter((r) => r === "429 app-call-limited").length).toBeGreaterThan(0);
  });

  it("clamps the bucket to a lowered burst at once", async () => {
    const sb = suite.sandbox;
    await sb.control.faults({ rate_limits: { app_qps: 1, app_burst: 2 } });
    const sdk = createSdk(sb);
    const results: string[] = [];
    for (let i = 0; i < 8; i++) {
      results.push(...(await outcomes([sdk.curl("POST", API_PATHS.keyQuery, { body: {} })])));
    }
    expect(results).toContain("429 app-call-limited");
  });

  it("refills on real time: advancing the virtual clock does not refill the bucket", async () => {
    const sb = suite.sandbox;
    await sb.control.faults({ rate_limits: { app_qps: 0.01, app_burst: 1 } });
    const sdk = createSdk(sb);
    await sdk.curl("POST", API_PATHS.keyQuery, { body: {} });
    await sb.control.advanceClock(60 * 60_000);
    const err = await apiError(sdk.curl("POST", API_PATHS.keyQuery, { body: {} }));
    expect(err).toMatchObject({ status: 429, code: "app-call-limited" });
  });

  it("counts refused calls in the ledger by status and code", async () => {
    const sb = suite.sandbox;
    await sb.control.faults({ rate_limits: { app_qps: 1, app_burst: 2 } });
    const sdk = createSdk(sb);
    const results = await outcomes(
      Array.from({ length: 10 }, () => sdk.curl("POST", API_PATHS.keyQuery, { body: {} })),
    );
    const refused = results.filter((r) => r === "429 app-call-limited").length;
    const ledger = await sb.control.ledger();
    expect(refused).toBeGreaterThan(0);
    expect(ledger.calls).toBe(10);
    expect(ledger.by_code["app-call-limited"]).toBe(refused);
    expect(ledger.by_status["429"]).toBe(refused);
    expect(ledger.by_status["200"]).toBe(10 - refused);
  });
});

describe("batch method bucket", () => {
  it("answers batch calls over the method limit with 429 method-call-limited while predict passes", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    await sb.control.faults({ rate_limits: { batch_qps: 1, batch_burst: 2 } });
    const results = await outcomes(Array.from({ length: 8 }, (_, n) => batchOf(client, n)));
    expect(results).toContain("ok");
    expect(results).toContain("429 method-call-limited");
    const single = await client.predict({ items: [makeItem(client.merchantId, 100)] });
    expect(single.results).toHaveLength(1);
    const ledger = await sb.control.ledger();
    expect(ledger.by_code["method-call-limited"]).toBe(
      results.filter((r) => r.includes("method-call-limited")).length,
    );
  });

  it("spends the app token of a call the method bucket refused", async () => {
    const sb = suite.sandbox;
    const client = await merchantClient(sb);
    // App bucket of 4 and a batch bucket of 1: four batch calls empty the app bucket even though
    // three are refused by the method bucket, so the next call of any kind is app-limited.
    await sb.control.faults({
      rate_limits: { app_qps: 0.01, app_burst: 4, batch_qps: 0.01, batch_burst: 1 },
    });
    const batches = await outcomes(Array.from({ length: 4 }, (_, n) => batchOf(client, n)));
    expect(batches.filter((r) => r === "ok")).toHaveLength(1);
    expect(batches.filter((r) => r === "429 method-call-limited")).toHaveLength(3);
    const err = await apiError(client.predict({ items: [makeItem(client.merchantId, 9)] }));
    expect(err).toMatchObject({ status: 429, code: "app-call-limited" });
  });
});
