import { RateLimited, Timeout } from "@riskq/alipay";
import type { DegradedReason } from "@riskq/contracts";
import { BudgetExhausted } from "@riskq/cost";
import { CircuitOpenError, ItemWithdrawn } from "@riskq/pipeline";

/**
 * Why a job's remote score could not arrive in time, from what stood in its way last: a 429 storm
 * or a wait for a call permit (`rate_limited`), an open circuit, a call that did not answer in time
 * (`timeout`), a budget; anything else (a batch still gathering, a retry that no longer fits) is the
 * deadline itself.
 */
export function degradedReasonOf(cause: unknown): DegradedReason {
  if (cause instanceof ItemWithdrawn) {
    return cause.stage === "gating" ? "rate_limited" : cause.stage === "in_flight" ? "timeout" : "deadline";
  }
  if (cause instanceof RateLimited) return "rate_limited";
  if (cause instanceof CircuitOpenError) return "circuit_open";
  if (cause instanceof Timeout) return "timeout";
  if (cause instanceof BudgetExhausted) return "budget";
  return "deadline";
}
