import type { BudgetConfig } from "@riskq/cost";

/** The workers' settings the cost page shows and marks (read by config.ts from their variables). */
export interface CostSettings {
  /** RISKQ_BUDGET_* (no budget configured: the page says so). */
  budgets: BudgetConfig;
  /** BATCH_CAP: the batch size marked as current on the bill curves. */
  batchCap: number;
  /** RISKQ_PREFILTER: `shadow` judges but sends every item, so it bills as `off`. */
  prefilter: "on" | "shadow" | "off";
}

/** The pre-filter mode as the simulator knows it: does it keep items from Alipay? */
export const billedPrefilter = (setting: CostSettings["prefilter"]): "on" | "off" =>
  setting === "on" ? "on" : "off";
