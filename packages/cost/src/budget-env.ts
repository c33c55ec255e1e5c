import { field, number } from "@riskq/config";
import { z } from "zod";
import { type BudgetConfig, MAX_BUDGET_USD, parseMerchantBudgets } from "./budget-config";

const budgetUsd = number({ min: 0, max: MAX_BUDGET_USD }).optional();

/**
 * The budget variables (docs/budget-and-cost.md, "Budget"), one schema for every app that reads them: the
 * workers enforce them, the dashboard shows them. Apps merge it into their own env schema.
 */
export const budgetLimitsEnv = z.object({
  // USD per UTC day / month; unset = no such budget.
  RISKQ_BUDGET_DAILY_USD: budgetUsd,
  RISKQ_BUDGET_MONTHLY_USD: budgetUsd,
  RISKQ_BUDGET_MERCHANT_DAILY_USD: budgetUsd,
  RISKQ_BUDGET_MERCHANT_MONTHLY_USD: budgetUsd,
  RISKQ_BUDGET_MERCHANTS: field("<merchant>=<daily>/<monthly>,… (each side USD, empty or none)", (raw) => {
    const parsed = parseMerchantBudgets(raw);
    return parsed.ok
      ? parsed
      : { ok: false, message: `must be <merchant>=<daily>/<monthly>,…: ${parsed.message}` };
  }).optional(),
});
export type BudgetLimitsEnv = z.output<typeof budgetLimitsEnv>;

/** The budgets the variables describe. */
export function budgetConfigOf(env: BudgetLimitsEnv): BudgetConfig {
  return {
    global: { dailyUsd: env.RISKQ_BUDGET_DAILY_USD, monthlyUsd: env.RISKQ_BUDGET_MONTHLY_USD },
    perMerchant: {
      dailyUsd: env.RISKQ_BUDGET_MERCHANT_DAILY_USD,
      monthlyUsd: env.RISKQ_BUDGET_MERCHANT_MONTHLY_USD,
    },
    merchants: env.RISKQ_BUDGET_MERCHANTS ?? {},
  };
}
