import { describe, expect, it } from "vitest";
import { type AlipayCall, RateLimited, UpstreamError } from "../src/index";
import { awayFromKeyRotation, itemsOf, MODEL, onboard, useClientKit } from "./support/harness";

describe("the onCall observer", () => {
  const suite = useClientKit();

  it("hears of every call once, with status, code, items and billing, and never of a secret", async () => {
    const calls: AlipayCall[] = [];
    const client = suite.kit.client({ onCall: (call) => calls.push(call) });
    const { merchantId, items } = itemsOf(21, 3);
    await awayFromKeyRotation(suite.sandbox, suite.kit.clock);
    await onboard(suite.sandbox, client, merchantId);
    const result = await client.scoreBatch({ merchantId, task: "card_risk", modelVersion: MODEL, items });

    expect(calls.map(({ operation, status, code }) => ({ operation, status, code }))).toEqual([
      { operation: "token exchange", status: 200, code: "ok" },
      { operation: "key query", status: 200, code: "ok" },
      { operation: "batch predict", status: 200, code: "ok" },
    ]);
    const batch = calls[2]!;
    expect(batch.items).toBe(3);
    expect(batch.billing).toEqual(result.billing);
    expect(calls[0]!.items).toBeUndefined();
    for (const call of calls) expect(call.latencyMs).toBeGreaterThan(0);
    expect((await suite.sandbox.control.ledger()).calls).toBe(calls.length);
    // Only labels' worth: no token, key or merchant reaches the observer.
    const token = await client.getMerchantToken(merchantId);
    const key = await client.currentKey();
    const told = JSON.stringify(calls);
    for (const secret of [token, key.aesKey, merchantId]) expect(told).not.toContain(secret);
  });

  it("hears of failed calls with the remote's code, or riskq's when no answer came", async () => {
    const calls: AlipayCall[] = [];
    const client = suite.kit.client({ onCall: (call) => calls.push(call) });
    const { merchantId, items } = itemsOf(22, 2);
    await awayFromKeyRotation(suite.sandbox, suite.kit.clock);
    await onboard(suite.sandbox, client, merchantId);
    await client.fetchKeys();
    await suite.sandbox.control.faults({ rate_limits: { app_qps: 0.01, app_burst: 1 } });
    await client.fetchKeys(); // spends the one token left
    const input = { merchantId, task: "card_risk" as const, modelVersion: MODEL, items };
    await expect(client.scoreBatch(input)).rejects.toBeInstanceOf(RateLimited);
    expect(calls.at(-1)).toMatchObject({
      operation: "batch predict",
      status: 429,
      code: "app-call-limited",
      items: 2,
    });
    expect(calls.at(-1)!.billing).toBeUndefined();

    const unreachable = suite.kit.client({
      endpoint: "http://127.0.0.1:9",
      onCall: (call) => calls.push(call),
    });
    await expect(unreachable.fetchKeys()).rejects.toBeInstanceOf(UpstreamError);
    expect(calls.at(-1)).toMatchObject({ operation: "key query", status: undefined, code: "upstream_error" });
  });

  it("an observer that throws never fails the call", async () => {
    const client = suite.kit.client({
      onCall: () => {
        throw new Error("a broken metrics library");
      },
    });
    const { merchantId, items } = itemsOf(23, 2);
    await awayFromKeyRotation(suite.sandbox, suite.kit.clock);
    await onboard(suite.sandbox, client, merchantId);
    const result = await client.scoreBatch({ merchantId, task: "card_risk", modelVersion: MODEL, items });
    expect(result.outcomes.every((o) => "result" in o)).toBe(true);
  });
});
