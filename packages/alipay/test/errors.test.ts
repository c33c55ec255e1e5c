import { API_PATHS } from "@riskq/contracts";
import { startTamperingProxy, type TamperTarget } from "@riskq/testing";
import { describe, expect, it } from "vitest";
import {
  type AlipayClient,
  BatchTruncated,
  InvalidRequest,
  ModelUnknown,
  RateLimited,
  ResponseInvalid,
  type ScoreBatchInput,
  Timeout,
  UpstreamError,
} from "../src/index";
import { awayFromKeyRotation, itemsOf, MODEL, onboard, useClientKit } from "./support/harness";

describe("errors of scoring calls", () => {
  const suite = useClientKit();

  /** An onboarded merchant with keys already fetched, so the next call is the scoring call itself. */
  async function ready(count: number, seed = 5): Promise<{ client: AlipayClient; input: ScoreBatchInput }> {
    const client = suite.kit.client();
    const { merchantId, items } = itemsOf(seed, count);
    await awayFromKeyRotation(suite.sandbox, suite.kit.clock);
    await onboard(suite.sandbox, client, merchantId);
    await client.fetchKeys();
    return { client, input: { merchantId, task: "card_risk", modelVersion: MODEL, items } };
  }

  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error("expected the call to fail");
      },
      (error: unknown) => error,
    );

  it("reports a young account's truncated batch as BatchTruncated and learns the cap", async () => {
    const { client, input } = await ready(60);
    await suite.sandbox.control.setAccountCreatedAt((await suite.sandbox.control.state()).clock.now);

    const result = await client.scoreBatch(input);

    expect(result.missing).toBeInstanceOf(BatchTruncated);
    const truncated = result.missing as BatchTruncated;
    expect(truncated.answered).toBe(50);
    expect([...truncated.itemIds]).toEqual(
      input.items.slice(50).map((i) => (i as { item_id: string }).item_id),
    );
    expect(result.outcomes.filter((o) => "result" in o)).toHaveLength(50);
    expect(await client.learnedBatchCap()).toBe(50);
  });

  it("reports the app bucket's 429 as RateLimited('app')", async () => {
    const { client, input } = await ready(2);
    await suite.sandbox.control.faults({ rate_limits: { app_qps: 0.01, app_burst: 1 } });
    await client.fetchKeys(); // spends the one token left

    const error = await failureOf(client.scoreBatch(input));

    expect(error).toBeInstanceOf(RateLimited);
    expect(error).toMatchObject({ bucket: "app", retryable: true, remoteCode: "app-call-limited" });
  });

  it("reports the batch/predict bucket's 429 as RateLimited('method')", async () => {
    const { client, input } = await ready(2);
    await suite.sandbox.control.faults({ rate_limits: { batch_qps: 0.01, batch_burst: 1 } });
    await client.scoreBatch(input); // spends the method bucket's one token

    const error = await failureOf(client.scoreBatch(input));

    expect(error).toBeInstanceOf(RateLimited);
    expect(error).toMatchObject({ bucket: "method", remoteCode: "method-call-limited" });
  });

  it("gives Timeout when the answer comes after the deadline", async () => {
    const { input } = await ready(2);
    const impatient = suite.kit.client({ defaultTimeoutMs: 150 });
    await suite.sandbox.control.faults({ latency: { median_ms: 800, p99_ms: 800 } });

    const error = await failureOf(impatient.scoreBatch(input));

    expect(error).toBeInstanceOf(Timeout);
    expect(error).toMatchObject({ retryable: true, deadlineMs: 150 });
  });

  it("gives Timeout when the caller's own signal ends the call", async () => {
    const { client, input } = await ready(2);
    await suite.sandbox.control.faults({ latency: { median_ms: 800, p99_ms: 800 } });

    const error = await failureOf(client.scoreBatch({ ...input, signal: AbortSignal.timeout(100) }));

    expect(error).toBeInstanceOf(Timeout);
  });

  it("reports a 500 as a retryable UpstreamError", async () => {
    const { client, input } = await ready(2);
    await suite.sandbox.control.faults({ error_rates: { "500": 1 } });

    const error = await failureOf(client.scoreBatch(input));

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ retryable: true, httpStatus: 500, remoteCode: "unknow-error" });
  });

  it.each<TamperTarget>(["signature", "body"])(
    "refuses an answer whose %s was altered in transit (ResponseInvalid)",
    async (tamper) => {
      const { input } = await ready(2);
      await using proxy = await startTamperingProxy({
        target: suite.sandbox.url,
        tamper,
        when: ({ path }) => path === API_PATHS.batchPredict,
      });
      const intercepted = suite.kit.client({ endpoint: proxy.url });

      const error = await failureOf(intercepted.scoreBatch(input));

      expect(error).toBeInstanceOf(ResponseInvalid);
      expect((error as Error).message).toContain("signature does not verify");
      expect(proxy.tampered).toBe(1);
      expect((await suite.sandbox.control.ledger()).by_status["200"]).toBeGreaterThan(0);
    },
  );

  it("returns a retired model's flatline with its expiry in the past", async () => {
    const { client, input } = await ready(5);
    await suite.sandbox.control.retireModel(MODEL);
    const now = Date.parse((await suite.sandbox.control.state()).clock.now);

    const result = await client.scoreBatch(input);

    expect(result.modelVersion).toBe(MODEL);
    const confidences = result.outcomes.map((o) => ("result" in o ? o.result.confidence : undefined));
    expect(confidences).toEqual(input.items.map(() => 0.5));
    expect(result.modelExpiry).toBeInstanceOf(Date);
    expect(result.modelExpiry!.getTime()).toBeLessThanOrEqual(now);
  });

  it("reports an unknown model as ModelUnknown", async () => {
    const { client, input } = await ready(2);

    const error = await failureOf(client.scoreBatch({ ...input, modelVersion: "risk-v9-2031-01" }));

    expect(error).toBeInstanceOf(ModelUnknown);
    expect(error).toMatchObject({ modelVersion: "risk-v9-2031-01", remoteCode: "invalid-model-version" });
  });

  it.each([
    ["a free-text field", (item: object) => ({ ...item, note: "card 4111 1111 1111 1111" }), "items[1].note"],
    ["the item id", (item: object) => ({ ...item, item_id: "4111111111111111" }), "items[1].item_id"],
  ])("refuses a card number in %s before calling Alipay", async (_what, mutate, field) => {
    const { client, input } = await ready(3);
    const callsBefore = (await suite.sandbox.control.ledger()).calls;
    const items = input.items.map((item, i) => (i === 1 ? mutate(item as object) : item));

    const error = await failureOf(client.scoreBatch({ ...input, items }));

    expect(error).toBeInstanceOf(InvalidRequest);
    expect((error as InvalidRequest).field).toBe(field);
    expect((error as Error).message).not.toContain("4111");
    expect((await suite.sandbox.control.ledger()).calls).toBe(callsBefore);
  });

  it("refuses an unknown extra field, naming it", async () => {
    const { client, input } = await ready(2);
    const callsBefore = (await suite.sandbox.control.ledger()).calls;
    const items = input.items.map((item, i) =>
      i === 0 ? { ...(item as object), description: "gift" } : item,
    );

    const error = await failureOf(client.scoreBatch({ ...input, items }));

    expect(error).toBeInstanceOf(InvalidRequest);
    expect((error as Error).message).toContain("description");
    expect((error as InvalidRequest).field).toMatch(/^items\[0\]/);
    expect((await suite.sandbox.control.ledger()).calls).toBe(callsBefore);
  });

  it("refuses an item of another merchant", async () => {
    const { client, input } = await ready(2);
    const stranger = itemsOf(99, 1).items[0]!;
    expect(stranger.merchant_id).not.toBe(input.merchantId);
    const callsBefore = (await suite.sandbox.control.ledger()).calls;

    const error = await failureOf(client.scoreBatch({ ...input, items: [...input.items, stranger] }));

    expect(error).toBeInstanceOf(InvalidRequest);
    expect((error as InvalidRequest).field).toBe("merchant_id");
    expect((error as Error).message).toContain(stranger.item_id);
    expect((await suite.sandbox.control.ledger()).calls).toBe(callsBefore);
  });
});
