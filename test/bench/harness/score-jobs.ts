import type { ScoreJobData, ScoreRequestBody } from "@riskq/contracts";
import { scoreJobId } from "@riskq/contracts";
import type { ScoreQueue } from "@riskq/pipeline";

/** A `score` job as the API would add it, for benches that enqueue straight into the queue. */
export interface ScoreJobEntry {
  name: string;
  data: ScoreJobData;
  opts: { jobId: string };
}

/** Jobs for `requests`, enqueued now, each with a deadline far enough away not to expire in the bench. */
export function scoreJobs(
  requests: readonly ScoreRequestBody[],
  now: number,
  deadlineMs = 3_600_000,
): ScoreJobEntry[] {
  return requests.map((request) => ({
    name: request.task,
    data: { request, enqueued_at: now, deadline_at: now + deadlineMs },
    opts: { jobId: scoreJobId(request.merchant_id, request.item_id) },
  }));
}

/** `addBulk` in chunks of 1 000 (one MULTI each), like the API's batch endpoint. */
export async function addInChunks(queue: ScoreQueue, jobs: readonly ScoreJobEntry[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += 1_000) await queue.addBulk(jobs.slice(i, i + 1_000));
}

/** The value below which `p` of the sorted values fall (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}
