import { AlipayError, BatchTruncated, RateLimited } from "@riskq/alipay";
import type { DeadLetterReason } from "@riskq/contracts";
import { CircuitOpenError } from "../breaker/circuit-open-error";
import { type BackoffOptions, backoffMs } from "./backoff";

/** What to do with a job whose call just failed. */
export type RetryDecision =
  /** Try again after `delayMs`; `consumesAttempt: false` when the failure was not the job's doing. */
  | { kind: "retry"; delayMs: number; consumesAttempt: boolean }
  /** Wait `delayMs` (429 or open circuit) and try again: never spends an attempt. */
  | { kind: "wait"; delayMs: number }
  /** Give up: dead-letter the job with this reason. */
  | { kind: "dead"; reason: DeadLetterReason };

export interface RetryPolicyOptions extends BackoffOptions {
  /** Attempts a job gets in all, the first one included (default 8). */
  maxAttempts?: number;
  /** Mean wait after a 429, jittered ±50 % (default 1 s); the shared limiter does the real pacing. */
  rateLimitWaitMs?: number;
  /** Spread added to an open circuit's reopening time, so delayed jobs do not all wake at once (default 1 s). */
  openCircuitJitterMs?: number;
  /** How long this job has already waited on 429s and open circuits (default 0). */
  waitedMs?: number;
  /** Beyond this much waiting the job is dead-lettered instead (default 1 h). */
  maxWaitMs?: number;
  /** A source of numbers in [0, 1) for the jitter. */
  random?: () => number;
}

/**
 * The retry policy, per error class:
 * - `RateLimited` → wait (jittered), dead as `rate_limited` once it has waited `maxWaitMs`;
 * - `CircuitOpenError` → wait until the circuit lets calls through (plus jitter), dead as
 *   `upstream_error` once it has waited `maxWaitMs`;
 * - `BatchTruncated` → retry at once without spending an attempt (the cap was ours to learn; the
 *   caller re-batches under the lowered cap);
 * - errors that are not `retryable` (`InvalidRequest`, `ResponseInvalid`, `AuthRevoked`,
 *   `ModelUnknown`, `KeyRejected`) → dead at once with the error's `deadLetterReason`;
 * - `SilentDrop` (the caller refreshes the token first), `UpstreamError`, `Timeout` and errors that
 *   are not the client's → retry with full-jitter backoff, dead once attempts are exhausted with the
 *   error's `deadLetterReason` (`upstream_error` for errors that are not the client's).
 *
 * @param attemptsMade attempts finished before the one that just failed — BullMQ's
 *   `job.attemptsMade` inside the processor (0 on the first run). The failed attempt is number
 *   `attemptsMade + 1`; with `maxAttempts` 8, `attemptsMade` 7 means the last attempt failed.
 */
export function decideRetry(
  error: unknown,
  attemptsMade: number,
  options: RetryPolicyOptions = {},
): RetryDecision {
  const random = options.random ?? Math.random;
  const waitedTooLong = (options.waitedMs ?? 0) >= (options.maxWaitMs ?? 3_600_000);

  if (error instanceof CircuitOpenError) {
    if (waitedTooLong) return { kind: "dead", reason: "upstream_error" };
    const jitterMs = options.openCircuitJitterMs ?? 1_000;
    return { kind: "wait", delayMs: error.retryAfterMs + Math.floor(random() * jitterMs) };
  }
  if (error instanceof RateLimited) {
    if (waitedTooLong) return { kind: "dead", reason: error.deadLetterReason };
    const meanMs = options.rateLimitWaitMs ?? 1_000;
    return { kind: "wait", delayMs: Math.floor(meanMs * (0.5 + random())) };
  }
  if (error instanceof BatchTruncated) return { kind: "retry", delayMs: 0, consumesAttempt: false };
  if (error instanceof AlipayError && !error.retryable)
    return { kind: "dead", reason: error.deadLetterReason };

  const failedAttempt = Math.max(0, attemptsMade) + 1;
  if (failedAttempt >= (options.maxAttempts ?? 8)) {
    return { kind: "dead", reason: error instanceof AlipayError ? error.deadLetterReason : "upstream_error" };
  }
  return { kind: "retry", delayMs: backoffMs(failedAttempt, options, random), consumesAttempt: true };
}
