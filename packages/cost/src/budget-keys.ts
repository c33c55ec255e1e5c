import type { Budget } from "./budget-config";
import type { BudgetPeriod } from "./budget-periods";

/**
 * The hash of one budget in one period, under the riskq prefix (a `{hash tag}`: every budget of a
 * call lives in one cluster slot, so one script checks them all). A new period is a new key: the
 * rollover needs no job, and the old period's hash stays readable for a week.
 */
export function budgetKey(prefix: string, budget: Pick<Budget, "scope">, period: BudgetPeriod): string {
  const scope = budget.scope === "global" ? "global" : `merchant:${budget.scope.merchantId}`;
  return `${prefix}:budget:${scope}:${period.kind}:${period.id}`;
}

/** How long a period's hash outlives the period (seconds), for reports and late settlements. */
export const BUDGET_KEEP_AFTER_PERIOD_S = 7 * 24 * 3600;
