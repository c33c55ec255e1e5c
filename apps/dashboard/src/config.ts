import { field, integer, number, oneOf, port, riskqCommonEnv, secret } from "@riskq/config";
import { type BudgetConfig, MAX_BUDGET_USD, parseMerchantBudgets } from "@riskq/cost";
import { z } from "zod";

const budgetUsd = number({ min: 0, max: MAX_BUDGET_USD }).optional();

/** The dashboard's start-up variables (README: environment variables), common ones included. */
export const dashboardEnv = riskqCommonEnv.extend({
  DASHBOARD_HOST: z.string().min(1).default("127.0.0.1"),
  DASHBOARD_PORT: port(3001),
  // HTTP Basic credentials: both secrets, so production refuses to start without them.
  DASHBOARD_USER: secret({
    devDefault: "riskq",
    describe: "the user name of the dashboard's HTTP Basic login",
  }),
  DASHBOARD_PASSWORD: secret({
    devDefault: "riskq-development-only-password",
    describe: "the password of the dashboard's HTTP Basic login, e.g. output of: openssl rand -base64 24",
  }),
  // The badge in the board's header; without it, NODE_ENV (so nobody mistakes production for a test).
  DASHBOARD_ENV_LABEL: z.string().trim().min(1).max(40).optional(),
  // The cost page (README: Dashboard) reads the workers' own settings, with the workers' defaults,
  // so it shows their budgets and marks their batch cap and pre-filter mode on the bill curves.
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
  BATCH_CAP: integer({ min: 1, max: 100, default: 100 }),
  RISKQ_PREFILTER: oneOf(["on", "shadow", "off"], "shadow"),
});
export type DashboardEnv = z.output<typeof dashboardEnv>;

/** The budgets the workers' variables describe (the same reading as the worker's). */
export function budgetConfigOf(env: DashboardEnv): BudgetConfig {
  return {
    global: { dailyUsd: env.RISKQ_BUDGET_DAILY_USD, monthlyUsd: env.RISKQ_BUDGET_MONTHLY_USD },
    perMerchant: {
      dailyUsd: env.RISKQ_BUDGET_MERCHANT_DAILY_USD,
      monthlyUsd: env.RISKQ_BUDGET_MERCHANT_MONTHLY_USD,
    },
    merchants: env.RISKQ_BUDGET_MERCHANTS ?? {},
  };
}
