import { z } from "zod";
import { duration } from "./duration-fields";

/** RISKQ_IDEMPOTENCY_TTL's default: a day, as long as Stripe keeps idempotency keys. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 86_400_000;

/**
 * How long a finished job's outcome is remembered for duplicates (docs/pipeline.md, "Idempotency"). Read by
 * the API (which answers duplicates from it) and the worker (which writes it): both must use the same.
 */
export const idempotencyEnv = z.object({
  RISKQ_IDEMPOTENCY_TTL: duration({
    minMs: 1_000,
    maxMs: 90 * 86_400_000,
    defaultMs: DEFAULT_IDEMPOTENCY_TTL_MS,
  }),
});
