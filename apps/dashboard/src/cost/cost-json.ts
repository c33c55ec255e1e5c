import { type BudgetStatus, usdOf } from "@riskq/cost";
import { MONTH_DAYS } from "./bill-curves";
import type { CostReport } from "./cost-report";
import type { SpendTotals } from "./spend";

/**
 * `/cost.json`: the page's numbers for scripts and tests. Money as USD strings of 4 places (as
 * Alipay bills), with the exact ledger units beside them; simulated units are fractional.
 */
export function costJson(report: CostReport) {
  const { spend, projection } = report;
  return {
    generated_at: new Date(report.generatedAt).toISOString(),
    spend: {
      today: { day: spend.day, ...totalsJson(spend.today) },
      month: { month: spend.month, ...totalsJson(spend.thisMonth) },
      merchant_count: spend.merchantCount,
      merchants: spend.merchants.map((m) => ({
        merchant_id: m.merchantId,
        today: totalsJson(m.today),
        month: totalsJson(m.month),
        budgets: m.budgets.map(budgetJson),
      })),
    },
    // null: no budget configured at all.
    budgets: spend.budgets === undefined ? null : spend.budgets.map(budgetJson),
    projection:
      projection === undefined
        ? null
        : {
            window: report.window,
            days: projection.days,
            month_days: MONTH_DAYS,
            recorded_monthly_usd: usdOf(projection.recordedMonthlyUnits),
            recorded_monthly_units: projection.recordedMonthlyUnits,
            current: {
              threshold: projection.current.threshold.value,
              threshold_source: projection.current.threshold.source,
              batch_size: projection.current.batchSize,
              prefilter: projection.current.prefilter,
              prefilter_setting: projection.current.prefilterSetting,
              monthly_usd: usdOf(projection.current.monthlyUnits),
              monthly_units: projection.current.monthlyUnits,
            },
            recorded: {
              largest_full_batch: projection.recorded.largestFullBatch,
              items_decided_locally: projection.recorded.itemsDecidedLocally,
            },
            thresholds: projection.thresholds,
            curves: projection.curves.map((c) => ({
              prefilter: c.prefilter,
              batch_size: c.batchSize,
              monthly_units: c.monthlyUnits,
            })),
            notes: projection.notes,
          },
  };
}

function totalsJson(t: SpendTotals) {
  return {
    total_usd: usdOf(t.billedUnits + t.estimatedUnits),
    billed_usd: usdOf(t.billedUnits),
    estimated_usd: usdOf(t.estimatedUnits),
    total_units: t.billedUnits + t.estimatedUnits,
    calls: t.calls,
    estimated_calls: t.estimatedCalls,
    items: t.items,
    flagged: Math.round(t.flagged * 100) / 100,
  };
}

function budgetJson(b: BudgetStatus) {
  return {
    name: b.name,
    merchant_id: b.budget.scope === "global" ? null : b.budget.scope.merchantId,
    period: b.period.kind,
    period_id: b.period.id,
    resets_at: new Date(b.period.end).toISOString(),
    limit_usd: b.limitUsd,
    spent_usd: b.spentUsd,
    reserved_usd: b.reservedUsd,
    // Budgets count whole micro-dollars: rounded there, so no float residue shows.
    left_usd: Math.max(0, Math.round((b.limitUsd - b.spentUsd - b.reservedUsd) * 1e6) / 1e6),
  };
}
