/** `?wait_ms` against real Redis and hand-driven BullMQ workers: when a waiter answers, and with what. */

import type { ScoreJobDataWithHistory } from "@riskq/pipeline";
import { type Job, UnrecoverableError } from "bullmq";
import { describe, expect, it } from "vitest";
import type { JobView } from "../src/scores/job-view";
import {
  AUTH,
  eventually,
  MERCHANT_ID,
  type ScoreJob,
  scoreBody,
  scoredResult,
  startTestWorker,
  useApiWithWorkers,
} from "./support/api-harness";

const ctx = useApiWithWorkers();

/** Resolves what it is given once `open` is called: a job a test completes by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe("a waiter", () => {
  it("answers 200 as soon as its job completes, not at wait_ms", async () => {
    const release = gate();
    ctx.worker = startTestWorker(ctx.kit, async (job: ScoreJob) => {
      await release.opened;
      return scoredResult(job.data.request);
    });
    const started = performance.now();
    const pending = ctx.post("/v1/scores?wait_ms=10000", scoreBody("fast", { deadline_ms: 60_000 }));
    // Complete the job by hand once it is active: the answer must come after that, and soon.
    const state = () => ctx.kit.scoreQueue.getJobState(`${MERCHANT_ID}-fast`);
    await eventually(async () => ((await state()) === "active" ? true : undefined));
    const releasedAt = performance.now();
    release.open();
    const res = await pending;
    const answeredAt = performance.now();

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "completed", duplicate: false, result: { item_id: "fast" } });
    expect(answeredAt).toBeGreaterThanOrEqual(releasedAt);
    expect(answeredAt - started).toBeLessThan(5_000);
  });

  it("stops at its job's deadline plus a grace, answering 202, well before wait_ms", async () => {
    const started = performance.now();
    const res = await ctx.post("/v1/scores?wait_ms=10000", scoreBody("late", { deadline_ms: 300 }));
    const elapsed = performance.now() - started;

    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id: `${MERCHANT_ID}-late`, status: "queued", duplicate: false });
    expect(elapsed).toBeGreaterThanOrEqual(300); // it did wait until the deadline
    expect(elapsed).toBeLessThan(5_000);
  });

  it("waits for a batch until its latest deadline, not its earliest", async () => {
    const started = performance.now();
    const res = await ctx.post("/v1/scores/batch?wait_ms=10000", {
      items: [scoreBody("d-short", { deadline_ms: 200 }), scoreBody("d-long", { deadline_ms: 1_500 })],
    });
    const elapsed = performance.now() - started;

    expect(res.statusCode).toBe(202);
    expect(elapsed).toBeGreaterThanOrEqual(1_500);
    expect(elapsed).toBeLessThan(6_000);
  });

  it("answers a duplicate of a job past its deadline at once, as it stands", async () => {
    await ctx.post("/v1/scores", scoreBody("old", { deadline_ms: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    const res = await ctx.post("/v1/scores?wait_ms=10000", scoreBody("old", { deadline_ms: 60_000 }));

    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: "queued", duplicate: true });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("shows a job that dies while waited on as dead with its dead letter, the rest completed", async () => {
    // One worker completing "ok-*" items and killing the others, as apps/worker would.
    ctx.worker = startTestWorker(ctx.kit, async (job: ScoreJob) => {
      if (job.data.request.item_id.startsWith("ok")) return scoredResult(job.data.request);
      throw new UnrecoverableError("dead:invalid_payload:x: died in a test");
    });
    ctx.worker.on("failed", (job) => {
      if (job) void ctx.kit.deadLetters.record(job as Job<ScoreJobDataWithHistory>);
    });

    const res = await ctx.post("/v1/scores/batch?wait_ms=10000", {
      items: [scoreBody("ok-1", { deadline_ms: 8_000 }), scoreBody("bad-1", { deadline_ms: 8_000 })],
    });
    const { jobs } = res.json<{ jobs: JobView[] }>();

    expect(jobs.map((j) => [j.item_id, j.status])).toEqual([
      ["ok-1", "completed"],
      ["bad-1", "dead"],
    ]);
    expect(jobs[0]!.result).toMatchObject({ item_id: "ok-1" });
    // The letter is written just after the job fails: the answer may or may not have caught it,
    // but a later read always has it.
    const url = `/v1/scores/${MERCHANT_ID}-bad-1`;
    const later = await ctx.kit.app.inject({ method: "GET", url, headers: AUTH });
    expect(later.json()).toMatchObject({ status: "dead", dead_letter: { reason: "invalid_payload" } });
  });
});
