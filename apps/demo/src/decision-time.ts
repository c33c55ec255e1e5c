import type { ScoreJobResult } from "@riskq/contracts";
import type { ScoreJobDataWithHistory } from "@riskq/pipeline";
import type { Job } from "bullmq";

/** Sources that are a decision a payment can act on; `expired` is explicitly none. */
const DECIDING_SOURCES: ReadonlySet<string> = new Set(["remote", "prefilter", "policy"]);

/**
 * Enqueue → decision of a completed job, ms: the result's own `decided_in_ms` when the workers
 * report it, else the job's finish time less its enqueue time (what the queue itself recorded).
 */
export function decisionMs(job: Job<ScoreJobDataWithHistory, ScoreJobResult>): number | undefined {
  const reported = job.returnvalue?.decided_in_ms;
  if (reported !== undefined) return reported;
  if (job.finishedOn === undefined) return undefined;
  return job.finishedOn - (job.data.enqueued_at ?? job.timestamp);
}

/** Whether a completed job was decided (not expired) within its own deadline — for a payment, in time. */
export function decidedByDeadline(job: Job<ScoreJobDataWithHistory, ScoreJobResult>): boolean {
  const source = job.returnvalue?.source;
  const ms = decisionMs(job);
  if (source === undefined || !DECIDING_SOURCES.has(source) || ms === undefined) return false;
  return ms <= job.data.deadline_at - job.data.enqueued_at;
}

export const isDecision = (source: string | undefined): boolean =>
  source !== undefined && DECIDING_SOURCES.has(source);
