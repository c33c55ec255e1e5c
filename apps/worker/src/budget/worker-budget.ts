import { alertPublisher, budgetThresholdAlert } from "@riskq/alerts";
import { budgetConfigOf, createBudgetGuard, hasBudgets } from "@riskq/cost";
import type { Logger } from "@riskq/observability";
import type { Redis } from "ioredis";
import type { WorkerEnv } from "../worker-env";
import type { BudgetWaitOptions } from "./budget-wait";

type BudgetEnv = Pick<
  WorkerEnv,
  | "RISKQ_BUDGET_DAILY_USD"
  | "RISKQ_BUDGET_MONTHLY_USD"
  | "RISKQ_BUDGET_MERCHANT_DAILY_USD"
  | "RISKQ_BUDGET_MERCHANT_MONTHLY_USD"
  | "RISKQ_BUDGET_MERCHANTS"
  | "RISKQ_BUDGET_EXHAUSTED"
  | "RISKQ_BUDGET_RECHECK_MS"
  | "RISKQ_BUDGET_MAX_WAIT_MS"
>;

/**
 * The worker's budget guard, its threshold alerts on the alert stream (the scheduler's alerter
 * delivers them), and what stopped jobs do; undefined when no budget is configured (no Redis work).
 */
export function createWorkerBudget(options: {
  env: BudgetEnv;
  redis: Redis;
  prefix: string;
  logger: Pick<Logger, "warn">;
}): BudgetWaitOptions | undefined {
  const { env, logger } = options;
  const config = budgetConfigOf(env);
  if (!hasBudgets(config)) return undefined;
  const publish = alertPublisher(options.redis, { prefix: options.prefix });
  const guard = createBudgetGuard({
    redis: options.redis,
    prefix: options.prefix,
    config,
    onCrossing: (crossing) => {
      logger.warn(
        { budget: crossing.name, period: crossing.period.id, threshold: crossing.thresholdPct },
        "budget threshold crossed",
      );
      publish(budgetThresholdAlert(crossing, env.RISKQ_BUDGET_EXHAUSTED)).catch((err: unknown) =>
        logger.warn({ err }, "could not publish the budget alert"),
      );
    },
    onError: (err) =>
      logger.warn({ err }, "could not settle a budget reservation; it expires counted at its estimate"),
  });
  return {
    guard,
    onExhausted: env.RISKQ_BUDGET_EXHAUSTED,
    recheckMs: env.RISKQ_BUDGET_RECHECK_MS,
    maxWaitMs: env.RISKQ_BUDGET_MAX_WAIT_MS,
  };
}
