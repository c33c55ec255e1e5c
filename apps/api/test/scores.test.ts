import { describe, expect, it } from "vitest";
import type { JobView } from "../src/scores/job-view";
import {
  AUTH,
  countJobs,
  MERCHANT_ID,
  type ScoreJob,
  scoreBody,
  scoredResult,
  startTestWorker,
  useApiWithWorkers,
} from "./support/api-harness";

const ctx = useApiWithWorkers();

describe("POST /v1/scores", () => {
  it("answers 202 with the job id, then duplicate: true for the same item, keeping one job", async () => {
    const first = await ctx.post("/v1/scores", scoreBody("order-1"));
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({
      id: `${MERCHANT_ID}-order-1`,
      item_id: "order-1",
      status: "queued",
      duplicate: false,
    });

    const again = await ctx.post("/v1/scores", scoreBody("order-1", { amount: "9.99" }));
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ id: `${MERCHANT_ID}-order-1`, status: "queued", duplicate: true });
    expect(await countJobs(ctx.kit.scoreQueue)).toBe(1);
    // The stored job is the first submission's, untouched by the duplicate.
    const job = await ctx.kit.scoreQueue.getJob(`${MERCHANT_ID}-order-1`);
    expect(job?.data.request.amount).toBe("128.50");
  });

  it("of 20 concurrent identical submissions, exactly one creates the job", async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => ctx.post("/v1/scores", scoreBody("order-race"))),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(202));
    const created = answers.filter((a) => a.json<JobView>().duplicate === false);
    expect(created).toHaveLength(1);
    expect(await countJobs(ctx.kit.scoreQueue)).toBe(1);
  });

  it("stores the request with enqueued_at, deadline_at and the task as job name", async () => {
    await ctx.post("/v1/scores", scoreBody("order-2", { deadline_ms: 5_000 }));
    const job = await ctx.kit.scoreQueue.getJob(`${MERCHANT_ID}-order-2`);
    expect(job?.name).toBe("transaction_anomaly");
    expect(job?.data.request).toMatchObject({ item_id: "order-2", deadline_ms: 5_000 });
    expect(job!.data.deadline_at - job!.data.enqueued_at).toBe(5_000);
  });
});

describe("POST /v1/scores/batch", () => {
  it("answers in request order with per-item duplicates", async () => {
    await ctx.post("/v1/scores", scoreBody("b-2"));
    const res = await ctx.post("/v1/scores/batch", {
      items: [scoreBody("b-1"), scoreBody("b-2"), scoreBody("b-3"), scoreBody("b-1")],
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      jobs: [
        { id: `${MERCHANT_ID}-b-1`, item_id: "b-1", status: "queued", duplicate: false },
        { id: `${MERCHANT_ID}-b-2`, item_id: "b-2", status: "queued", duplicate: true },
        { id: `${MERCHANT_ID}-b-3`, item_id: "b-3", status: "queued", duplicate: false },
        { id: `${MERCHANT_ID}-b-1`, item_id: "b-1", status: "queued", duplicate: true },
      ],
    });
    expect(await countJobs(ctx.kit.scoreQueue)).toBe(3);
  });
});

describe("GET /v1/scores/:id", () => {
  it("shows a queued job as queued", async () => {
    await ctx.post("/v1/scores", scoreBody("g-1"));
    const res = await ctx.kit.app.inject({
      method: "GET",
      url: `/v1/scores/${MERCHANT_ID}-g-1`,
      headers: AUTH,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: `${MERCHANT_ID}-g-1`, item_id: "g-1", status: "queued" });
  });

  it("answers 404 for an unknown id", async () => {
    const res = await ctx.kit.app.inject({ method: "GET", url: "/v1/scores/nope-nothing", headers: AUTH });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: "not_found" });
  });
});

describe("?wait_ms", () => {
  it("answers 202 with the job still queued when no worker finishes it in time", async () => {
    const res = await ctx.post("/v1/scores?wait_ms=300", scoreBody("w-1"));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id: `${MERCHANT_ID}-w-1`, status: "queued", duplicate: false });
  });

  it("answers 200 with the result once a worker completes the job, and a duplicate never runs again", async () => {
    let runs = 0;
    ctx.worker = startTestWorker(ctx.kit, async (job: ScoreJob) => {
      runs += 1;
      return scoredResult(job.data.request);
    });
    const res = await ctx.post("/v1/scores?wait_ms=10000", scoreBody("w-2"));
    expect(res.statusCode).toBe(200);
    const expected = scoredResult(scoreBody("w-2") as never);
    expect(res.json()).toEqual({
      id: `${MERCHANT_ID}-w-2`,
      item_id: "w-2",
      status: "completed",
      duplicate: false,
      result: expected,
    });

    const again = await ctx.post("/v1/scores?wait_ms=10000", scoreBody("w-2"));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: "completed", duplicate: true, result: expected });
    expect(runs).toBe(1);
  });

  it("waits for every job of a batch within one budget", async () => {
    ctx.worker = startTestWorker(ctx.kit, async (job: ScoreJob) => scoredResult(job.data.request));
    const res = await ctx.post("/v1/scores/batch?wait_ms=10000", {
      items: [scoreBody("wb-1"), scoreBody("wb-2"), scoreBody("wb-3")],
    });
    expect(res.statusCode).toBe(200);
    const { jobs } = res.json<{ jobs: JobView[] }>();
    expect(jobs.map((j) => [j.item_id, j.status, j.result?.item_id])).toEqual([
      ["wb-1", "completed", "wb-1"],
      ["wb-2", "completed", "wb-2"],
      ["wb-3", "completed", "wb-3"],
    ]);
  });

  it("refuses a wait over 10 000 ms", async () => {
    const res = await ctx.post("/v1/scores?wait_ms=20000", scoreBody("w-3"));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: "invalid_request", issues: [{ path: "wait_ms" }] });
    expect(await countJobs(ctx.kit.scoreQueue)).toBe(0);
  });
});

describe("backlog", () => {
  it("answers 429 with Retry-After past RISKQ_MAX_BACKLOG and enqueues nothing", async () => {
    await ctx.restart({ maxBacklog: 2 });
    for (const id of ["s-1", "s-2", "s-3"]) {
      const request = scoreBody(id) as never;
      await ctx.kit.scoreQueue.add("transaction_anomaly", { request, enqueued_at: 0, deadline_at: 0 });
    }
    const res = await ctx.post("/v1/scores", scoreBody("over"));
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    expect(res.json()).toMatchObject({
      error: "backlog_full",
      retry_after_s: Number(res.headers["retry-after"]),
    });
    expect(await countJobs(ctx.kit.scoreQueue)).toBe(3);
  });
});
