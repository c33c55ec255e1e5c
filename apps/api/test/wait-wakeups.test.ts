/**
 * Waits are woken by the score queue's events (one event reader per API process, outcome-events.ts), so an
 * answer does not wait for the next poll. The polls here are set a minute apart: a wait that
 * returns at all was woken by its job's event, or the test's own timeout fails it.
 */
import { QUEUES, type ScoreJobData, type ScoreJobResult } from "@riskq/contracts";
import { Worker } from "bullmq";
import { describe, expect, it } from "vitest";
import type { JobView } from "../src/scores/job-view";
import { refreshViews } from "../src/scores/job-view";
import type { WatchEnds } from "../src/scores/outcome-wakeups";
import { waitForOutcomes } from "../src/scores/wait-for-outcome";
import {
  AUTH,
  eventually,
  MERCHANT_ID,
  type ScoreJob,
  scoreBody,
  scoredResult,
  startKillingWorker,
  startTestWorker,
  useApiWithWorkers,
} from "./support/api-harness";

const ctx = useApiWithWorkers();
const A_MINUTE = { firstMs: 60_000, maxMs: 60_000, dueMs: 60_000 };

/** Enqueues items without waiting; their views as the API answered them. */
async function enqueue(...itemIds: string[]): Promise<JobView[]> {
  const items = itemIds.map((id) => scoreBody(id, { deadline_ms: 600_000 }));
  const res = await ctx.kit.app.inject({
    method: "POST",
    url: "/v1/scores/batch",
    headers: AUTH,
    payload: { items },
  });
  expect(res.statusCode).toBe(202);
  return res.json().jobs as JobView[];
}

describe("waits woken by job events", () => {
  it("ends a wait when its last job completes, without a poll falling due", async () => {
    const views = await enqueue("w1", "w2");
    const { kit } = ctx;
    const refresh = (running: readonly JobView[]) => refreshViews(kit.scoreQueue, kit.deadLetters, running);
    const waiting = waitForOutcomes(views, 120_000, refresh, {
      watch: kit.outcomeWakeups!.watch,
      polls: A_MINUTE,
    });
    ctx.worker = startTestWorker(kit, async (job: ScoreJob) => scoredResult(job.data.request));

    const final = await waiting;
    expect(final.map((v) => [v.id, v.status, v.result?.risk_score])).toEqual([
      [`${MERCHANT_ID}-w1`, "completed", 12],
      [`${MERCHANT_ID}-w2`, "completed", 12],
    ]);
    // Nothing keeps watching once the wait is over.
    expect(kit.outcomeWakeups!.watched).toBe(0);
  }, 30_000);

  it("ends a wait when its job dies", async () => {
    const [view] = await enqueue("d1");
    const { kit } = ctx;
    const refresh = (running: readonly JobView[]) => refreshViews(kit.scoreQueue, kit.deadLetters, running);
    const waiting = waitForOutcomes([view!], 120_000, refresh, {
      watch: kit.outcomeWakeups!.watch,
      polls: A_MINUTE,
    });
    ctx.worker = startKillingWorker(kit, () => "timeout");
    // The job is dead once it is in the failed set; its dead letter is written just after, so the
    // wait's read may come before it (as it may with polls): the status is what a wait ends on.
    const final = await waiting;
    expect(final.map((v) => [v.id, v.status])).toEqual([[`${MERCHANT_ID}-d1`, "dead"]]);
    expect(kit.outcomeWakeups!.watched).toBe(0);
  }, 30_000);

  it("reads a batch's jobs again once all of them have ended, not at each job's end", async () => {
    const views = await enqueue("b1", "b2", "b3", "b4", "b5");
    const { kit } = ctx;
    let reads = 0;
    const refresh = (running: readonly JobView[]) => {
      reads += 1;
      return refreshViews(kit.scoreQueue, kit.deadLetters, running);
    };
    const waiting = waitForOutcomes(views, 120_000, refresh, {
      watch: kit.outcomeWakeups!.watch,
      polls: A_MINUTE,
    });
    // One job at a time, a moment apart: five ends, five events.
    const url = new URL(kit.redisUrl);
    ctx.worker = new Worker<ScoreJobData, ScoreJobResult>(
      QUEUES.score,
      async (job: ScoreJob) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return scoredResult(job.data.request);
      },
      {
        connection: { host: url.hostname, port: Number(url.port || 6379) },
        prefix: kit.prefix,
        concurrency: 1,
      },
    );

    const final = await waiting;
    expect(final.map((v) => v.status)).toEqual([
      "completed",
      "completed",
      "completed",
      "completed",
      "completed",
    ]);
    // Each end was an event; the wait read its jobs once, after the last (a read per end made 5).
    expect(reads).toBe(1);
  }, 30_000);

  it("takes an end reported for a job a read then finds running as no end, and waits for the next", async () => {
    const [view] = await enqueue("r1");
    const { kit } = ctx;
    let reads = 0;
    const refresh = (running: readonly JobView[]) => {
      reads += 1;
      return refreshViews(kit.scoreQueue, kit.deadLetters, running);
    };
    // The events as this test reports them: an end for a job that has not ended (as an event about
    // an earlier run of the job would be), then its real end.
    let reportEnd: ((jobId: string) => void) | undefined;
    const watch: WatchEnds = (_ids, onEnd) => {
      reportEnd = onEnd;
      return () => {
        reportEnd = undefined;
      };
    };
    const waiting = waitForOutcomes([view!], 120_000, refresh, { watch, polls: A_MINUTE });
    reportEnd!(view!.id);
    await eventually(async () => (reads === 1 ? true : undefined));
    // The read found it queued: the report is dropped, not taken as an end at every turn.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reads).toBe(1);

    ctx.worker = startTestWorker(kit, async (job: ScoreJob) => scoredResult(job.data.request));
    await eventually(async () =>
      (await kit.scoreQueue.getJobState(view!.id)) === "completed" ? true : undefined,
    );
    reportEnd!(view!.id);
    const final = await waiting;
    expect(final.map((v) => [v.id, v.status])).toEqual([[`${MERCHANT_ID}-r1`, "completed"]]);
    expect(reads).toBe(2);
    expect(reportEnd).toBeUndefined();
  }, 30_000);
});
