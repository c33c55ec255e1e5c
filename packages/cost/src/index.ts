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
export { type BudgetLimitsEnv, budgetConfigOf, budgetLimitsEnv } from "./budget-env";
export { BudgetExhausted } from "./budget-exhausted";
export * from "./budget-guard";
export { formatUsd } from "./budget-money";
export { type BudgetPeriod, type BudgetPeriodKind, periodAt } from "./budget-periods";
export { type BudgetPrices, PUBLISHED_PRICES } from "./budget-prices";
// Billing ledger, recorded traffic and the price simulator (docs/budget-and-cost.md, "Cost").
export { checkDay, utcDayOf } from "./ledger-days";
export {
  DEFAULT_RETENTION_DAYS,
  ledgerDayKey,
  recordedDaysKey,
  trafficDayKey,
} from "./ledger-keys";
export {
  addLedgerRow,
  type BilledAmounts,
  type EstimatedAmounts,
  emptyBilled,
  emptyEstimated,
  type LedgerRange,
  type LedgerRow,
  readLedger,
  recordedDays,
} from "./ledger-read";
export {
  type AnsweredCall,
  type LedgerCallKey,
  type LedgerRecordOptions,
  type LostCall,
  recordAnsweredCall,
  recordLocalDecisions,
  recordLostCall,
  type ScoredItem,
} from "./ledger-record";
export { type PriceList, PUBLISHED_PRICE_UNITS, UNITS_PER_USD, unitsOf, usdOf } from "./ledger-units";
export {
  atOrAbove,
  type Bill,
  type BillSettings,
  emptyBill,
  type MonthlyBillSimulation,
  type SeriesBill,
  simulateMonthlyBill,
} from "./simulate-bill";
export { simulateCalls } from "./simulate-calls";
export {
  CONFIDENCE_BINS,
  confidenceBin,
  PREFILTER_BUCKETS,
  type PrefilterBucket,
} from "./traffic-histogram";
export {
  type CallSize,
  emptySeries,
  type RecordedTraffic,
  readRecordedTraffic,
  type TrafficSeries,
} from "./traffic-read";
