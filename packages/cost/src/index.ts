export {
  type Budget,
  type BudgetConfig,
  type BudgetLimits,
  budgetName,
  budgetsFor,
  hasBudgets,
  MAX_BUDGET_USD,
  type MerchantBudgetOverride,
  parseMerchantBudgets,
} from "./budget-config";
export { BudgetExhausted } from "./budget-exhausted";
export * from "./budget-guard";
export { formatUsd } from "./budget-money";
export { type BudgetPeriod, type BudgetPeriodKind, periodAt } from "./budget-periods";
export { type BudgetPrices, PUBLISHED_PRICES } from "./budget-prices";
