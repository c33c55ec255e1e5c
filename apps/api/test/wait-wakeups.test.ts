/**
 * Waits are woken by the score queue's events (one event reader per API process, outcome-events.ts), so an
 * answer does not wait for the next poll. The polls here are set a minute apart: a wait that
 * returns at all was woken by its job's event, or the test's own timeout fails it.
 */
import { describe, expect, it } from "vitest";
import type { JobView } from "../src/scores/job-view";
import { refreshViews } from "../src/scores/job-view";
import { waitForOutcomes } from "../src/scores/wait-for-outcome";
import {
  AUTH,
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
});
