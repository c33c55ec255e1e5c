import { AlipayError } from "@riskq/alipay";
import type { BudgetReservation } from "@riskq/cost";
import { CircuitOpenError } from "@riskq/pipeline";

/**
 * Ends the reservation of a call that failed. Only a status-200 scoring answer is billed
 * (docs/alipay-ai-api.md §9), so a call refused before it left (open circuit) or answered with any other status
 * (429, 5xx, 4xx) releases its reservation. When no answer came — a timeout, a connection lost
 * mid-call — or a 200 could not be read, the remote may have billed it: the worst-case estimate
 * stays spent. Stricter than the truth, never looser.
 */
export function endUnanswered(spend: BudgetReservation, err: unknown): Promise<void> {
  return billedNothing(err) ? spend.release() : spend.keep();
}

function billedNothing(err: unknown): boolean {
  if (err instanceof CircuitOpenError) return true;
  if (!(err instanceof AlipayError)) return false;
  if (err.httpStatus !== undefined) return err.httpStatus !== 200;
  // Refused connections never reached the remote.
  return (err.cause as { code?: unknown } | undefined)?.code === "ECONNREFUSED";
}
