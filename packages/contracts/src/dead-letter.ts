/**
 * Why a job ended in the dead-letter queue: a stable enum (docs/architecture.md, "Dead-letter reasons").
 * Operators filter, alert and redrive by these names, so they never change meaning.
 */
export const DEAD_LETTER_REASONS = [
  "invalid_payload",
  "silent_drop",
  "model_flatline",
  "model_retired",
  "key_rejected",
  "auth_revoked",
  "rate_limited",
  "upstream_error",
  "timeout",
  "budget_exhausted",
  "response_invalid",
  "expired",
  "stalled",
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];
