import type { BudgetExhausted, BudgetGuard } from "@riskq/cost";
import type { AttemptRecord } from "@riskq/pipeline";

/** What a worker does with jobs the budget guard stops (docs/budget-and-cost.md, "Budget"). */
export interface BudgetWaitOptions {
  guard: BudgetGuard;
  /** An exhausted budget: jobs wait for it to free (default) or dead-letter as `budget_exhausted`. */
  onExhausted: "wait" | "dead-letter";
  /** Mean interval (jittered ±50 %) at which a job waiting on an exhausted budget looks again. */
  recheckMs: number;
  /** Beyond this much waiting on the budget a job dead-letters as `budget_exhausted`. */
  maxWaitMs: number;
}

/** What to do with a job the budget stopped. */
export type BudgetDecision =
  | { kind: "wait"; delayMs: number; code: string }
  | { kind: "dead"; code: string; message: string };

/** Mean wait of a job whose money is held by calls in flight: they settle within a call's time. */
export const HELD_WAIT_MS = 1_000;

const BUDGET_CODES = new Set(["budget_exhausted", "budget_held"]);

/**
 * Waits never spend an attempt (as for 429s). A held budget is looked at again within a second or
 * two. An exhausted one at `recheckMs` (a raised limit is seen without waiting for midnight), but no
 * later than just after the period ends — spread over a few seconds, so the jobs of a whole day do
 * not all wake at 00:00:00 — and a job that has waited `maxWaitMs` dead-letters: nothing waits forever.
 */
export function decideBudget(
  stop: BudgetExhausted,
  options: Pick<BudgetWaitOptions, "onExhausted" | "recheckMs" | "maxWaitMs">,
  history: readonly AttemptRecord[] | undefined,
  now: number,
  random: () => number = Math.random,
): BudgetDecision {
  const firstWait = history?.find((h) => BUDGET_CODES.has(h.code))?.at;
  const waited = firstWait === undefined ? 0 : now - firstWait;
  if (waited >= options.maxWaitMs) {
    return {
      kind: "dead",
      code: stop.code,
      message: `waited ${Math.round(waited / 1000)} s for the budget, the most allowed: ${stop.message}`,
    };
  }
  if (!stop.exhausted)
    return { kind: "wait", delayMs: Math.floor(HELD_WAIT_MS * (0.5 + random())), code: stop.code };
  if (options.onExhausted === "dead-letter") return { kind: "dead", code: stop.code, message: stop.message };
  const recheck = Math.floor(options.recheckMs * (0.5 + random()));
  const untilReset = Math.max(0, (stop.resetsAt ?? now) - now);
  const afterReset = untilReset + Math.floor(random() * Math.min(options.recheckMs, 5_000));
  return { kind: "wait", delayMs: Math.min(recheck, afterReset), code: stop.code };
}
