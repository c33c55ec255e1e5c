/**
 * Idempotency that outlives BullMQ's retention (docs/pipeline.md, "Idempotency"): once a finished job is gone
 * from the queue, its record answers duplicates (never enqueued again) and GET; a dead job's record
 * does not stand in the way of a redrive, and a purge frees the id.
 */
import { completedRecord } from "@riskq/pipeline";
import { describe, expect, it } from "vitest";
import type { JobView } from "../src/scores/job-view";
import {
  AUTH,
  countJobs,
  eventually,
  MERCHANT_ID,
  scoreBody,
  scoredResult,
  startKillingWorker,
  useApiWithWorkers,
} from "./support/api-harness";

const ctx = useApiWithWorkers();
const idOf = (itemId: string) => `${MERCHANT_ID}-${itemId}`;
const get = (id: string) => ctx.kit.app.inject({ method: "GET", url: `/v1/scores/${id}`, headers: AUTH });

/** Lets the stand-in worker kill `itemId`'s job, waits for its dead letter, then removes job and letter (as the caps' trim does). */
async function killAndTrim(itemId: string): Promise<void> {
  ctx.worker = startKillingWorker(ctx.kit, () => "upstream_error");
  await ctx.post("/v1/scores", scoreBody(itemId));
  await eventually(() => ctx.kit.deadLetters.get(idOf(itemId)));
  await ctx.worker.close();
  ctx.worker = undefined;
}

describe("a duplicate of a completed job gone from the queue", () => {
  it("is answered from the record with duplicate: true and never enqueued again; GET shows the same", async () => {
    const id = idOf("late-1");
    // As apps/worker does: the record first, then the job ends (here: is already gone by retention).
    const result = {
      ...scoredResult(scoreBody("late-1") as never),
      risk_score: 37,
      risk_level: "medium" as const,
    };
    await ctx.kit.outcomes.remember([{ id, record: completedRecord(result, Date.now()) }], Date.now());

    const again = await ctx.post("/v1/scores?wait_ms=1000", scoreBody("late-1"));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({
      id,
      item_id: "late-1",
      status: "completed",
      duplicate: true,
      outcome: { source: "remote", risk_score: 37, risk_level: "medium", flagged: false },
    });
    expect(await countJobs(ctx.kit.scoreQueue)).toBe(0);

    const read = await get(id);
    expect(read.statusCode).toBe(200);
    expect(read.json<JobView>()).toMatchObject({ id, status: "completed", outcome: { risk_score: 37 } });
  });

  it("is answered from the record in a batch, next to new items that are enqueued", async () => {
    const now = Date.now();
    const result = scoredResult(scoreBody("late-2") as never);
    await ctx.kit.outcomes.remember([{ id: idOf("late-2"), record: completedRecord(result, now) }], now);
    const res = await ctx.post("/v1/scores/batch", { items: [scoreBody("late-2"), scoreBody("new-2")] });
    expect(res.statusCode).toBe(202);
    const { jobs } = res.json<{ jobs: JobView[] }>();
    expect(jobs[0]).toMatchObject({ id: idOf("late-2"), status: "completed", duplicate: true });
    expect(jobs[1]).toMatchObject({ id: idOf("new-2"), status: "queued", duplicate: false });
    expect(await countJobs(ctx.kit.scoreQueue)).toBe(1);
  });

  it("after the TTL is a new job again", async () => {
    // Written a day and a second ago: past the default TTL, though its bucket may still be in Redis.
    const then = Date.now() - 86_401_000;
    const result = scoredResult(scoreBody("old-1") as never);
    await ctx.kit.outcomes.remember([{ id: idOf("old-1"), record: completedRecord(result, then) }], then);
    const res = await ctx.post("/v1/scores", scoreBody("old-1"));
    expect(res.json()).toMatchObject({ status: "queued", duplicate: false });
    expect((await get(idOf("missing-1"))).statusCode).toBe(404);
  });

  it("a live job wins over a record (a job run again after a crash, a redriven job)", async () => {
    await ctx.post("/v1/scores", scoreBody("live-1"));
    const result = scoredResult(scoreBody("live-1") as never);
    await ctx.kit.outcomes.remember(
      [{ id: idOf("live-1"), record: completedRecord(result, Date.now()) }],
      Date.now(),
    );
    const again = await ctx.post("/v1/scores", scoreBody("live-1"));
    expect(again.json()).toMatchObject({ status: "queued", duplicate: true });
    expect(again.json()).not.toHaveProperty("outcome");
    expect((await get(idOf("live-1"))).json()).toMatchObject({ status: "queued" });
  });
});

describe("a dead job's record", () => {
  it("answers a duplicate once the dead job and its letter are trimmed", async () => {
    await killAndTrim("dead-1");
    await (await ctx.kit.scoreQueue.getJob(idOf("dead-1")))!.remove();
    await (await ctx.kit.deadQueue.getJob(idOf("dead-1")))!.remove();

    const again = await ctx.post("/v1/scores", scoreBody("dead-1"));
    expect(again.json()).toMatchObject({
      status: "dead",
      duplicate: true,
      outcome: { dead_reason: "upstream_error" },
    });
    expect(await countJobs(ctx.kit.scoreQueue)).toBe(0);
    expect((await get(idOf("dead-1"))).json()).toMatchObject({
      status: "dead",
      outcome: { dead_reason: "upstream_error" },
    });
  });

  it("does not block a redrive: the redriven job is live and answers duplicates itself", async () => {
    await killAndTrim("dead-2");
    expect(await ctx.kit.deadLetters.redrive([idOf("dead-2")])).toEqual([idOf("dead-2")]);
    const again = await ctx.post("/v1/scores", scoreBody("dead-2"));
    expect(again.json()).toMatchObject({ status: "queued", duplicate: true });
  });

  it("goes with a purge: the id is free for a new job", async () => {
    await killAndTrim("dead-3");
    expect(await ctx.kit.deadLetters.purge([idOf("dead-3")])).toEqual([idOf("dead-3")]);
    expect(await ctx.kit.outcomes.recall([idOf("dead-3")], Date.now())).toEqual([undefined]);
    const again = await ctx.post("/v1/scores", scoreBody("dead-3"));
    expect(again.json()).toMatchObject({ status: "queued", duplicate: false });
  });
});
