/**
 * A call (or part of one) the budget guard would not pay for. Two cases, told apart by `exhausted`:
 *
 * - `exhausted: true` (code `budget_exhausted`): what is left of a budget cannot pay for even a
 *   one-item call at worst-case prices. Nothing frees it before `resetsAt` (the period's end, UTC)
 *   but a higher limit; jobs wait or dead-letter as `budget_exhausted` (RISKQ_BUDGET_EXHAUSTED).
 * - `exhausted: false` (code `budget_held`): the money is there but calls in flight hold it in
 *   reservations (worst-case estimates, settled to their real, much lower bills within seconds), or
 *   the batch was cut to what is left. Always worth a short wait; never a dead letter by itself.
 */
export class BudgetExhausted extends Error {
  readonly code: "budget_exhausted" | "budget_held";
  /** Not worth retrying before the period ends (see the class comment). */
  readonly exhausted: boolean;
  /** Epoch ms when the exhausted budgets' periods end (undefined when `exhausted` is false). */
  readonly resetsAt: number | undefined;
  /** The budgets that refused, e.g. ["global daily budget"]. */
  readonly budgets: readonly string[];

  constructor(options: { exhausted: boolean; resetsAt?: number | undefined; budgets: readonly string[] }) {
    const names = options.budgets.join(", ");
    super(
      options.exhausted
        ? `${names} exhausted until ${new Date(options.resetsAt ?? 0).toISOString()}`
        : `${names}: what is left is held by calls in flight; trying again shortly`,
    );
    this.name = "BudgetExhausted";
    this.code = options.exhausted ? "budget_exhausted" : "budget_held";
    this.exhausted = options.exhausted;
    this.resetsAt = options.resetsAt;
    this.budgets = options.budgets;
  }
}
