import type { ScoreJobResult } from "@riskq/contracts";
import { redrivenData, type ScoreJobDataWithHistory, type ScoreQueue } from "@riskq/pipeline";
import type { Job } from "bullmq";
import type { Redis } from "ioredis";

/** Completed jobs read per page while walking back to the start of a flatline. */
const PAGE = 500;
/**
 * A later walk re-reads this much before where the previous one began: a job that finished just
 * before that walk may have reached the completed set only after the walk had read past it.
 */
const OVERLAP_MS = 60_000;

/** `<prefix>:drift:withdrawn`: per model, when the last walk over its results began. */
const watermarkKey = (prefix: string) => `${prefix}:drift:withdrawn`;

export interface RescoreTarget {
  redis: Redis;
  prefix: string;
  scoreQueue: ScoreQueue;
}

export interface RescoreReport {
  /** Completed jobs looked at (newest first, back to `since`). */
  examined: number;
  /** Jobs sent back to be scored again. */
  rescored: string[];
}

/**
 * Withdraws the results a degraded model gave since `since` (when its flatline began, or its
 * retirement date): each such completed job goes back to the queue with its attempts reset and a
 * redrive counted, as a redrive would. The worker then meets the degraded mark before any call, so
 * the job is scored again by the fallback model, or ends in `score-dead` as `model_flatline` — to be
 * redriven once the model spreads again. The redrive count gives the job a fresh callback too, so a
 * receiver that got the flat answer hears the new outcome.
 *
 * Run at every drift-check while the model stays degraded: workers trust their cached marks for a
 * few seconds and calls in flight still finish, so flat results keep arriving for a little while
 * after the mark. A watermark in Redis keeps each walk short (back to the previous one, not to
 * `since`). Only jobs still kept in the completed set can be withdrawn (retention removes older ones).
 */
export async function rescoreDegraded(
  target: RescoreTarget,
  model: string,
  since: number,
  limit = 100_000,
): Promise<RescoreReport> {
  const walkStartedAt = Date.now();
  const watermark = Number(await target.redis.hget(watermarkKey(target.prefix), model)) || 0;
  const from = Math.max(since, watermark - OVERLAP_MS);
  const report: RescoreReport = { examined: 0, rescored: [] };
  // Newest first; the completed set is ordered by finishing time, so the walk stops at `from`.
  // Every withdrawn job leaves the set, so the next page starts where fewer jobs are left.
  let start = 0;
  while (report.examined < limit) {
    const page = (await target.scoreQueue.getCompleted(start, start + PAGE - 1)) as Array<
      Job<ScoreJobDataWithHistory, ScoreJobResult>
    >;
    if (page.length === 0) break;
    let kept = 0;
    let reachedStart = false;
    for (const job of page) {
      report.examined += 1;
      if ((job.finishedOn ?? 0) < from) {
        reachedStart = true;
        break;
      }
      const result = job.returnvalue;
      if (result?.source !== "remote" || result.model_version !== model) {
        kept += 1;
        continue;
      }
      await job.updateData(redrivenData(job.data, Date.now()));
      await job.retry("completed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      report.rescored.push(job.id!);
    }
    if (reachedStart) break;
    start += kept;
  }
  await target.redis.hset(watermarkKey(target.prefix), model, walkStartedAt);
  return report;
}

/** Forgets a model's watermark once it is healthy again (a later flatline walks from its own start). */
export async function forgetWithdrawals(redis: Redis, prefix: string, model: string): Promise<void> {
  await redis.hdel(watermarkKey(prefix), model);
}
