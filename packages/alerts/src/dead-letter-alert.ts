import { type DeadLetter, QUEUES } from "@riskq/contracts";
import type { AlertEventInput } from "./alert-event";

/**
 * The alert of one dead letter, grouped by (dead-letter queue, reason). Its identity is the job and
 * its redrive count: the same death published twice (a crash between publishing and writing the
 * letter) counts once, while a redriven job that dies again is news. No payload goes in: only ids,
 * the reason and the last error (scrubbed on publish).
 */
export function deadLetterAlert(letter: DeadLetter, deadQueue: string = QUEUES.dead): AlertEventInput {
  const attempts = letter.attempts.length;
  return {
    kind: "dead_letter",
    subject: deadQueue,
    reason: letter.reason,
    job_id: letter.job_id,
    key: `${letter.job_id}#${letter.redrive_count}`,
    message: `job ${letter.job_id} dead-lettered as ${letter.reason} after ${attempts} attempt${attempts === 1 ? "" : "s"}`,
    error: `${letter.last_error.code}: ${letter.last_error.message}`,
    at: letter.dead_at,
  };
}
