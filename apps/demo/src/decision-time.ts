import type { ScoreJobResult } from "@riskq/contracts";
import { type ScoreJobDataWithHistory, startedAt } from "@riskq/pipeline";
import type { Job } from "bullmq";

/** Sources that are a decision a payment can act on; `expired` is explicitly none. */
const DECIDING_SOURCES: ReadonlySet<string> = new Set(["remote", "prefilter", "policy"]);

/**
 * Enqueue (or latest redrive) → decision of a completed job, ms: the result's own `decided_in_ms`
 * when the workers report it, else the job's finish time less when it was asked for.
 */
export function decisionMs(job: Job<ScoreJobDataWithHistory, ScoreJobResult>): number | undefined {
  const reported = job.returnvalue?.decided_in_ms;
  if (reported !== undefined) return reported;
  if (job.finishedOn === undefined) return undefined;
  return job.finishedOn - startedAt(job.data);
}

/** Whether a completed job was decided (not expired) within its own deadline — for a payment, in time. */
export function decidedByDeadline(job: Job<ScoreJobDataWithHistory, ScoreJobResult>): boolean {
  const source = job.returnvalue?.source;
  const ms = decisionMs(job);
  if (source === undefined || !DECIDING_SOURCES.has(source) || ms === undefined) return false;
  return ms <= job.data.deadline_at - startedAt(job.data);
}

export const isDecision = (source: string | undefined): boolean =>
  source !== undefined && DECIDING_SOURCES.has(source);
