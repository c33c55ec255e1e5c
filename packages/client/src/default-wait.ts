import { DEFAULT_DEADLINE_MS, type ScoreRequestBody } from "@riskq/contracts";

/**
 * What `scoreAndWait` waits past a job's deadline by default: riskq decides every job by its
 * deadline (Alipay's score, or the `on_deadline` policy's decision), the API answers a waiter up to
 * 250 ms after it, and the answer still has to travel.
 */
export const DEADLINE_WAIT_GRACE_MS = 500;

/**
 * `scoreAndWait`'s budget when the caller gives none: the request's deadline (`deadline_ms`, 2 000
 * by default) plus the grace, so the caller gets the deadline's decision rather than a job still
 * running. A long `deadline_ms` makes a long wait: pass `waitMs` (or a signal) to wait less.
 */
export function defaultWaitMs(request: Pick<ScoreRequestBody, "deadline_ms">): number {
  return (request.deadline_ms ?? DEFAULT_DEADLINE_MS) + DEADLINE_WAIT_GRACE_MS;
}
