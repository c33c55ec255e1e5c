import type { BudgetPeriodKind } from "./budget-periods";

/** Limits of one budget scope, in USD; a missing limit is no limit. */
export interface BudgetLimits {
  dailyUsd?: number | undefined;
  monthlyUsd?: number | undefined;
}

/** A merchant's own limits: a number overrides the per-merchant default, `null` lifts it. */
export interface MerchantBudgetOverride {
  dailyUsd?: number | null | undefined;
  monthlyUsd?: number | null | undefined;
}

/**
 * Every budget riskq keeps. A call must fit every budget that applies to it: the global ones and
 * its merchant's (the merchant's override, else the per-merchant default).
 */
export interface BudgetConfig {
  /** What all merchants together may spend (RISKQ_BUDGET_DAILY_USD / _MONTHLY_USD). */
  global?: BudgetLimits;
  /** What each merchant may spend, unless overridden (RISKQ_BUDGET_MERCHANT_DAILY_USD / _MONTHLY_USD). */
  perMerchant?: BudgetLimits;
  /** Merchant id → its own limits (RISKQ_BUDGET_MERCHANTS). */
  merchants?: Readonly<Record<string, MerchantBudgetOverride>>;
}

/** One budget that applies to a call. */
export interface Budget {
  /** "global", or the merchant id the budget belongs to. */
  scope: "global" | { merchantId: string };
  period: BudgetPeriodKind;
  limitUsd: number;
}

/** The budgets a call for `merchantId` must fit, global ones first. */
export function budgetsFor(config: BudgetConfig, merchantId: string): Budget[] {
  const out: Budget[] = [];
  const add = (scope: Budget["scope"], period: BudgetPeriodKind, limitUsd: number | null | undefined) => {
    if (limitUsd !== undefined && limitUsd !== null) out.push({ scope, period, limitUsd });
  };
  add("global", "day", config.global?.dailyUsd);
  add("global", "month", config.global?.monthlyUsd);
  const own = config.merchants?.[merchantId];
  const scope = { merchantId };
  add(scope, "day", own?.dailyUsd === undefined ? config.perMerchant?.dailyUsd : own.dailyUsd);
  add(scope, "month", own?.monthlyUsd === undefined ? config.perMerchant?.monthlyUsd : own.monthlyUsd);
  return out;
}

/** Whether any budget is configured at all (without one the guard costs nothing). */
export function hasBudgets(config: BudgetConfig): boolean {
  const set = (v: number | null | undefined) => v !== undefined && v !== null;
  return (
    set(config.global?.dailyUsd) ||
    set(config.global?.monthlyUsd) ||
    set(config.perMerchant?.dailyUsd) ||
    set(config.perMerchant?.monthlyUsd) ||
    Object.values(config.merchants ?? {}).some((m) => set(m.dailyUsd) || set(m.monthlyUsd))
  );
}

/** "global daily budget", "daily budget of merchant 2088000000000001". */
export function budgetName(budget: Pick<Budget, "scope" | "period">): string {
  const period = budget.period === "day" ? "daily" : "monthly";
  return budget.scope === "global"
    ? `global ${period} budget`
    : `${period} budget of merchant ${budget.scope.merchantId}`;
}

/** Largest budget accepted: keeps micro-dollar sums exact in Redis's Lua (doubles). */
export const MAX_BUDGET_USD = 10_000_000;

/**
 * Parses the per-merchant overrides `<merchant>=<daily>/<monthly>,…` (RISKQ_BUDGET_MERCHANTS): each
 * side a USD amount, empty (the per-merchant default applies) or `none` (no limit). Example:
 * `2088000000000001=5/100,2088000000000002=/40,2088000000000003=none/none`.
 */
export function parseMerchantBudgets(
  raw: string,
): { ok: true; value: Record<string, MerchantBudgetOverride> } | { ok: false; message: string } {
  const value: Record<string, MerchantBudgetOverride> = {};
  for (const entry of raw.split(",").map((e) => e.trim())) {
    if (entry === "") continue;
    const match = /^([^=\s]+)=([^/]*)\/([^/]*)$/.exec(entry);
    if (!match) return { ok: false, message: `"${entry}" is not <merchant>=<daily>/<monthly>` };
    const [, merchantId, daily, monthly] = match as unknown as [string, string, string, string];
    const dailyUsd = amount(daily);
    const monthlyUsd = amount(monthly);
    if (dailyUsd === false || monthlyUsd === false) {
      return {
        ok: false,
        message: `"${entry}": each limit must be a USD amount up to ${MAX_BUDGET_USD}, empty, or none`,
      };
    }
    value[merchantId] = { dailyUsd, monthlyUsd };
  }
  return { ok: true, value };
}

function amount(raw: string): number | null | undefined | false {
  const text = raw.trim();
  if (text === "") return undefined;
  if (text === "none") return null;
  if (!/^\d+(\.\d+)?$/.test(text)) return false;
  const usd = Number(text);
  return usd <= MAX_BUDGET_USD ? usd : false;
}
