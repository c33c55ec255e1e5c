/**
 * The SDK's retry, deadline and error-mapping logic, driven by the labelled test double of riskq's
 * API (support/riskq-double.ts): answers the real API only gives under load or outage.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  createRiskqClient,
  RiskqBacklogFull,
  RiskqCardNumberRefused,
  RiskqHttpError,
  RiskqRequestInvalid,
  RiskqTimeout,
  RiskqUnauthorized,
  RiskqUnavailable,
} from "../src/index";
import { type RiskqDouble, type ScriptedAnswer, startRiskqDouble } from "./support/riskq-double";
import { enqueuedAnswer, scoreRequest } from "./support/score-requests";

const API_KEY = "test-key";
// Tiny backoff so a test of four attempts takes milliseconds, not seconds.
const FAST = { attempts: 4, baseMs: 5, capMs: 50 };

let double: RiskqDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function clientFor(
  script: (n: number) => ScriptedAnswer,
  options: { timeoutMs?: number; attempts?: number } = {},
) {
  double = await startRiskqDouble((_call, n) => script(n));
  const client = createRiskqClient({
    baseUrl: double.baseUrl,
    apiKey: API_KEY,
    timeoutMs: options.timeoutMs ?? 2_000,
    retries: { ...FAST, attempts: options.attempts ?? FAST.attempts },
  });
  return { client, calls: double.calls };
}

const unavailable = { status: 503, body: { error: "unavailable", message: "Redis is not reachable" } };

describe("retries", () => {
  it("retries 503 and succeeds on the third attempt, resending the same body (idempotent by job id)", async () => {
    const request = scoreRequest("retry-503");
    const { client, calls } = await clientFor((n) =>
      n < 2 ? unavailable : { status: 202, body: enqueuedAnswer(request) },
    );

    const job = await client.enqueueScore(request);

    expect(job).toEqual({
      id: `${request.merchant_id}-retry-503`,
      item_id: "retry-503",
      status: "queued",
      duplicate: false,
    });
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.body)).toEqual([request, request, request]);
    expect(calls.every((c) => c.authorization === `Bearer ${API_KEY}`)).toBe(true);
  });

  it("gives up with RiskqUnavailable after the configured attempts", async () => {
    const { client, calls } = await clientFor(() => unavailable, { attempts: 3 });

    const error = await client.enqueueScore(scoreRequest("always-503")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RiskqUnavailable);
    expect(error).toMatchObject({ code: "unavailable", retryable: true, attempts: 3 });
    expect(calls).toHaveLength(3);
  });

  it("retries 429 after waiting at least Retry-After, then succeeds", async () => {
    const request = scoreRequest("retry-429");
    double = await startRiskqDouble((_call, n) =>
      n === 0
        ? { status: 429, body: { error: "backlog_full", retry_after_s: 1 }, headers: { "retry-after": "1" } }
        : { status: 202, body: enqueuedAnswer(request) },
    );
    // capMs above the header's 1 s, so the header (not the cap) decides the wait.
    const client = createRiskqClient({
      baseUrl: double.baseUrl,
      apiKey: API_KEY,
      retries: { ...FAST, capMs: 5_000 },
    });

    await client.enqueueScore(request);

    const [first, second] = double.calls;
    expect(double.calls).toHaveLength(2);
    // A lower bound only (the wait can never be shorter); the 50 ms slack covers timer granularity.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it("caps a long Retry-After at capMs instead of sleeping for an hour", async () => {
    const request = scoreRequest("retry-429-capped");
    const { client, calls } = await clientFor((n) =>
      n === 0
        ? {
            status: 429,
            body: { error: "backlog_full", retry_after_s: 3600 },
            headers: { "retry-after": "3600" },
          }
        : { status: 202, body: enqueuedAnswer(request) },
    );

    await expect(client.enqueueScore(request)).resolves.toMatchObject({ item_id: "retry-429-capped" });
    expect(calls).toHaveLength(2);
  });

  it("gives up with RiskqBacklogFull carrying retryAfterS when 429 persists", async () => {
    const { client, calls } = await clientFor(
      () => ({
        status: 429,
        body: { error: "backlog_full", retry_after_s: 7 },
        headers: { "retry-after": "7" },
      }),
      { attempts: 2 },
    );

    const error = await client.enqueueScore(scoreRequest("always-429")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RiskqBacklogFull);
    expect(error).toMatchObject({ code: "backlog_full", retryAfterS: 7, attempts: 2, retryable: true });
    expect(calls).toHaveLength(2);
  });

  it("retries dropped connections, then reports RiskqUnavailable", async () => {
    const { client, calls } = await clientFor(() => "destroy", { attempts: 3 });

    const error = await client.getScore("2088101122334455-x").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RiskqUnavailable);
    expect(calls).toHaveLength(3);
  });

  it("gives every attempt a deadline and reports RiskqTimeout when none is met", async () => {
    const { client, calls } = await clientFor(() => "hang", { timeoutMs: 100, attempts: 2 });

    const error = await client.getScore("2088101122334455-x").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RiskqTimeout);
    expect(error).toMatchObject({ code: "timeout", timeoutMs: 100, attempts: 2 });
    expect(calls).toHaveLength(2);
  });

  it("stops at once, without retrying, when the caller's signal aborts", async () => {
    const { client, calls } = await clientFor(() => "hang", { timeoutMs: 10_000 });
    const controller = new AbortController();
    const reason = new Error("caller gave up");

    const pending = client
      .getScore("2088101122334455-x", { signal: controller.signal })
      .catch((e: unknown) => e);
    while (calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(reason);

    expect(await pending).toBe(reason);
    expect(calls).toHaveLength(1);
  });
});

describe("answers that are never retried", () => {
  it("maps 401 to RiskqUnauthorized after one call", async () => {
    const { client, calls } = await clientFor(() => ({ status: 401, body: { error: "unauthorized" } }));

    await expect(client.getScore("2088101122334455-x")).rejects.toBeInstanceOf(RiskqUnauthorized);
    expect(calls).toHaveLength(1);
  });

  it("maps the server's invalid_request to RiskqRequestInvalid with every issue", async () => {
    const issues = [
      { path: "items[0].amount", message: "> 0" },
      { path: "items[1].currency", message: "an ISO 4217 currency code" },
    ];
    const { client, calls } = await clientFor(() => ({
      status: 400,
      body: { error: "invalid_request", message: "2 field error(s)", issues },
    }));

    const error = await client.enqueueScores([scoreRequest("a"), scoreRequest("b")]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RiskqRequestInvalid);
    expect(error).toMatchObject({ code: "invalid_request", origin: "server", issues, retryable: false });
    expect(calls).toHaveLength(1);
  });

  it("maps the server's pan_not_allowed to RiskqCardNumberRefused naming the field", async () => {
    const { client } = await clientFor(() => ({
      status: 400,
      body: { error: "pan_not_allowed", message: "never send card numbers", field: "mcc" },
    }));

    const error = await client.enqueueScore(scoreRequest("pan")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RiskqCardNumberRefused);
    expect(error).toMatchObject({ code: "pan_not_allowed", field: "mcc", origin: "server" });
  });

  it("maps other statuses to RiskqHttpError with the server's code, after one call", async () => {
    const { client, calls } = await clientFor(() => ({ status: 413, body: { error: "payload_too_large" } }));

    const error = await client.enqueueScore(scoreRequest("big")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RiskqHttpError);
    expect(error).toMatchObject({
      code: "http_error",
      status: 413,
      serverCode: "payload_too_large",
      retryable: false,
    });
    expect(calls).toHaveLength(1);
  });

  it("refuses a 2xx body that is not the documented shape", async () => {
    const { client } = await clientFor(() => ({ status: 202, body: { ok: true } }));

    await expect(client.enqueueScore(scoreRequest("shape"))).rejects.toBeInstanceOf(RiskqHttpError);
  });

  it("does not take a 404 from something other than riskq's job route for an unknown job", async () => {
    const { client } = await clientFor(() => ({ status: 404, body: { message: "Route GET:/x not found" } }));

    await expect(client.getScore("2088101122334455-x")).rejects.toMatchObject({ status: 404 });
  });
});
