/**
 * `@riskq/client`: the typed producer SDK services use to enqueue score requests on riskq and read
 * their outcome over riskq's HTTP API. Requests are validated locally first (card numbers and unknown
 * fields are refused before anything is sent); 503, 429 and network failures are retried with
 * jittered backoff; every failure is a named error with a stable `code`. `createRiskqAdminClient`
 * is the operator side (dead letters, merchant onboarding), used by the `riskq` CLI.
 */
export {
  createRiskqAdminClient,
  type DeadLetterPage,
  type DeadLetterQuery,
  type DeadLetterSelection,
  type DeadLetterView,
  type OnboardedMerchant,
  type RiskqAdminClient,
} from "./admin-client";
export type { RetryOptions, RiskqClientOptions } from "./client-options";
export { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS } from "./client-options";
export { DEADLINE_WAIT_GRACE_MS, defaultWaitMs } from "./default-wait";
export {
  RiskqBacklogFull,
  RiskqCardNumberRefused,
  RiskqError,
  RiskqHttpError,
  type RiskqIssue,
  RiskqRequestInvalid,
  RiskqTimeout,
  RiskqUnauthorized,
  RiskqUnavailable,
} from "./errors";
export { type EnqueuedJob, isSettled, JOB_STATUSES, type JobStatus, type JobView } from "./job-view";
export { validateScoreRequests } from "./request-validation";
export {
  type CallOptions,
  createRiskqClient,
  MAX_SERVER_WAIT_MS,
  type RiskqClient,
  type WaitOptions,
} from "./riskq-client";
