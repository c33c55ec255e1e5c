/** The SDK against the real riskq API (in-process, real Redis): shapes, idempotency, errors. */
import { createServer } from "node:net";
import {
  createRiskqClient,
  RiskqBacklogFull,
  RiskqCardNumberRefused,
  type RiskqClient,
  RiskqRequestInvalid,
  RiskqUnauthorized,
  RiskqUnavailable,
} from "@riskq/client";
import { scoreRequest } from "@riskq/client/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { scoredResult, startTestWorker } from "../support/api-harness";
import { countingFetch } from "./support/counting-fetch";
import { API_KEY, countJobs, type RealApi, startRealApi } from "./support/real-api";

let api: RealApi;
let client: RiskqClient;
/** Statuses of the HTTP answers `client` received. */
let answered: number[];
/** Jobs of every state in the API's score queue. */
const jobsInQueue = () => countJobs(api.kit.scoreQueue);

describe("against the real API", () => {
  beforeEach(async () => {
    api = await startRealApi();
    const counting = countingFetch();
    answered = counting.statuses;
    client = createRiskqClient({ baseUrl: api.baseUrl, apiKey: API_KEY, fetch: counting.fetch });
  });
  afterEach(async () => {
    await api.close();
  });

  it("enqueues a job, and a second enqueue of the same item returns it as a duplicate", async () => {
    const request = scoreRequest("order-1");
    const id = `${request.merchant_id}-order-1`;

    const first = await client.enqueueScore(request);
    const second = await client.enqueueScore(request);

    expect(first).toEqual({ id, item_id: "order-1", status: "queued", duplicate: false });
    expect(second).toEqual({ id, item_id: "order-1", status: "queued", duplicate: true });
    expect(await jobsInQueue()).toBe(1);
  });

  it("enqueues 1 001 requests in chunks of at most 1 000, answering in request order", async () => {
    const requests = Array.from({ length: 1_001 }, (_, i) => scoreRequest(`bulk-${i}`));

    const jobs = await client.enqueueScores(requests);

    expect(answered).toEqual([202, 202]);
    expect(jobs).toHaveLength(1_001);
    expect(jobs.map((job) => job.item_id)).toEqual(requests.map((r) => r.item_id));
    expect(jobs.map((job) => job.id)).toEqual(requests.map((r) => `${r.merchant_id}-${r.item_id}`));
    expect(jobs.some((job) => job.duplicate)).toBe(false);
    expect(await jobsInQueue()).toBe(1_001);
  });

  it("answers an empty batch without calling the API", async () => {
    await expect(client.enqueueScores([])).resolves.toEqual([]);
    expect(answered).toEqual([]);
  });

  it("reads a job back, and answers undefined for an unknown id", async () => {
    const { id } = await client.enqueueScore(scoreRequest("read-back"));

    await expect(client.getScore(id)).resolves.toEqual({ id, item_id: "read-back", status: "queued" });
    await expect(client.getScore("2088000000000001-never-enqueued")).resolves.toBeUndefined();
  });

  it("refuses a card number locally, naming the field and not the number, before anything is sent", async () => {
    const card = "4111111111111111";

    const single = await client.enqueueScore(scoreRequest(card)).catch((e: unknown) => e);
    const inBatch = await client
      .enqueueScores([
        scoreRequest("ok-1"),
        { ...scoreRequest("ok-2"), note: `card 4111 1111 1111 1111` } as never,
      ])
      .catch((e: unknown) => e);

    expect(single).toBeInstanceOf(RiskqCardNumberRefused);
    expect(single).toMatchObject({
      code: "pan_not_allowed",
      field: "item_id",
      origin: "local",
      retryable: false,
    });
    expect((single as Error).message).toContain('"item_id"');
    expect((single as Error).message).not.toContain(card);
    expect(inBatch).toMatchObject({ code: "pan_not_allowed", field: "items[1].note", origin: "local" });
    expect(answered).toEqual([]);
    expect(await jobsInQueue()).toBe(0);
  });

  it("refuses unknown fields and invalid values locally, listing every issue, before anything is sent", async () => {
    const unknownField = await client
      .enqueueScore({ ...scoreRequest("free-text"), note: "VIP customer" } as never)
      .catch((e: unknown) => e);
    const batch = await client
      .enqueueScores([
        scoreRequest("valid"),
        scoreRequest("bad-amount", { amount: "0.00" }),
        scoreRequest("bad-currency", { currency: "XXY" }),
      ])
      .catch((e: unknown) => e);

    expect(unknownField).toBeInstanceOf(RiskqRequestInvalid);
    expect(unknownField).toMatchObject({ code: "invalid_request", origin: "local" });
    expect((unknownField as RiskqRequestInvalid).issues.map((i) => i.path)).toEqual(["note"]);
    expect((batch as RiskqRequestInvalid).issues.map((i) => i.path)).toEqual([
      "items[1].amount",
      "items[2].currency",
    ]);
    // Nothing was sent, not even the valid item of the refused batch.
    expect(answered).toEqual([]);
    expect(await jobsInQueue()).toBe(0);
  });

  it("maps a refused API key to RiskqUnauthorized", async () => {
    const stranger = createRiskqClient({ baseUrl: api.baseUrl, apiKey: "not-a-key" });

    await expect(stranger.enqueueScore(scoreRequest("anon"))).rejects.toBeInstanceOf(RiskqUnauthorized);
    await expect(stranger.getScore("2088000000000001-anon")).rejects.toMatchObject({ code: "unauthorized" });
    expect(await jobsInQueue()).toBe(0);
  });

  it("scoreAndWait returns the outcome once a worker completes the job", async () => {
    const worker = startTestWorker(api.kit, async (job) => scoredResult(job.data.request));
    try {
      const request = scoreRequest("wait-real");

      const view = await client.scoreAndWait(request, { waitMs: 10_000 });

      expect(view).toEqual({
        id: `${request.merchant_id}-wait-real`,
        item_id: "wait-real",
        status: "completed",
        duplicate: false,
        result: scoredResult(request),
      });
    } finally {
      await worker.close();
    }
  });

  it("scoreAndWait by default waits for the decision a worker makes at the job's deadline", async () => {
    // A stand-in for apps/worker deciding by the deadline: no score came, so the `allow` policy.
    const worker = startTestWorker(api.kit, async (job) => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, job.data.deadline_at - Date.now())));
      return { ...scoredResult(job.data.request), source: "policy", decision: "allow", degraded: true };
    });
    try {
      const request = scoreRequest("wait-deadline", { deadline_ms: 1_500, on_deadline: "allow" });

      const view = await client.scoreAndWait(request);

      expect(view).toMatchObject({ status: "completed", result: { source: "policy", decision: "allow" } });
    } finally {
      await worker.close();
    }
  });

  it("scoreAndWait returns the job still queued when nothing scores it within the budget", async () => {
    const view = await client.scoreAndWait(scoreRequest("wait-unscored"), { waitMs: 200 });

    expect(view).toMatchObject({ item_id: "wait-unscored", status: "queued", duplicate: false });
  });
});

describe("backlog and outages, for real", () => {
  afterEach(async () => {
    await api.close();
  });

  it("gives up with RiskqBacklogFull carrying the API's Retry-After when the backlog stays full", async () => {
    api = await startRealApi({ maxBacklog: 1 });
    // Two jobs already waiting: over the limit of one before the client's first call.
    await api.kit.scoreQueue.add("transaction_anomaly", {} as never, { jobId: "2088000000000001-w1" });
    await api.kit.scoreQueue.add("transaction_anomaly", {} as never, { jobId: "2088000000000001-w2" });
    const counting = countingFetch();
    const counted = createRiskqClient({
      baseUrl: api.baseUrl,
      apiKey: API_KEY,
      // capMs above the API's 250 ms backlog cache, so every retry is answered from a fresh count.
      retries: { attempts: 3, baseMs: 10, capMs: 300 },
      fetch: counting.fetch,
    });

    const error = await counted.enqueueScore(scoreRequest("one-too-many")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RiskqBacklogFull);
    expect(error).toMatchObject({ code: "backlog_full", attempts: 3, retryAfterS: 2 });
    expect(counting.statuses).toEqual([429, 429, 429]);
  });

  it("reports RiskqUnavailable, with the cause, when nothing listens at baseUrl", async () => {
    api = await startRealApi();
    // A port that was free a moment ago: connection refused, a real network error.
    const probe = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => probe.once("listening", r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const nowhere = createRiskqClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: API_KEY,
      retries: { attempts: 2, baseMs: 5, capMs: 20 },
    });

    const error = await nowhere.enqueueScore(scoreRequest("lost")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RiskqUnavailable);
    expect(error).toMatchObject({ attempts: 2 });
    expect((error as Error).cause).toBeDefined();
  });
});
