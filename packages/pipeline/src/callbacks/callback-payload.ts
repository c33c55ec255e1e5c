import type { DeadLetter, ScoreJobResult } from "@riskq/contracts";

/** What a callback reports: the job completed (with its result) or died (with its dead letter). */
export type CallbackEvent = "completed" | "dead";

/**
 * The JSON a receiver gets, the same shape the API answers for a finished job. `delivered_at` is set
 * per attempt (epoch ms), so a retried delivery is recognisable as the same `id` + `event`.
 */
export interface CallbackBody {
  id: string;
  event: CallbackEvent;
  result?: ScoreJobResult;
  dead_letter?: DeadLetter;
  delivered_at: number;
}

/** One job of the `score-callbacks` queue: where to POST, and what (less `delivered_at`). */
export interface CallbackDelivery {
  job_id: string;
  callback_url: string;
  /** The job's `submitted_by`: whose callback secret signs it (the master's when absent). */
  submitted_by?: string;
  body: Omit<CallbackBody, "delivered_at">;
}

/**
 * The delivery's BullMQ job id, `<score job id>.<event>`: adding it twice (a job re-processed after
 * a stall, the dead-letter reconciler repeating a record) is a no-op, so one outcome is one delivery.
 * A redriven job that ends again gets `.r<n>` appended: it is a new outcome, worth a new callback.
 * (BullMQ ids must not contain ':'; score job ids never contain '.'.)
 */
export function callbackDeliveryId(jobId: string, event: CallbackEvent, redriveCount = 0): string {
  return redriveCount > 0 ? `${jobId}.${event}.r${redriveCount}` : `${jobId}.${event}`;
}

/** The delivery announcing a completed job. */
export function completedDelivery(
  jobId: string,
  callbackUrl: string,
  result: ScoreJobResult,
  submittedBy?: string,
): CallbackDelivery {
  return {
    job_id: jobId,
    callback_url: callbackUrl,
    ...(submittedBy === undefined ? {} : { submitted_by: submittedBy }),
    body: { id: jobId, event: "completed", result },
  };
}

/** The delivery announcing a dead job; the dead letter says why it died. */
export function deadDelivery(
  callbackUrl: string,
  letter: DeadLetter,
  submittedBy?: string,
): CallbackDelivery {
  return {
    job_id: letter.job_id,
    callback_url: callbackUrl,
    ...(submittedBy === undefined ? {} : { submitted_by: submittedBy }),
    body: { id: letter.job_id, event: "dead", dead_letter: letter },
  };
}
