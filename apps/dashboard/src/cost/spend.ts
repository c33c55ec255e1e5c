import {
  type BudgetConfig,
  type BudgetStatus,
  createBudgetGuard,
  hasBudgets,
  type LedgerRow,
  periodAt,
  readLedger,
} from "@riskq/cost";
import type { Redis } from "ioredis";

/** What a span of days cost, from the ledger (units of 0.0001 USD). */
export interface SpendTotals {
  calls: number;
  items: number;
  flagged: number;
  /** What answered calls billed. */
  billedUnits: number;
  /** Calls whose answer was lost (client timeout), at their estimate; never billed visibly. */
  estimatedUnits: number;
  estimatedCalls: number;
}

interface MerchantSpend {
  merchantId: string;
  today: SpendTotals;
  month: SpendTotals;
  /** The merchant's own budgets (not the global ones), when any apply. */
  budgets: BudgetStatus[];
}

/** Spend so far this UTC day and month, and where the budgets stand. */
export interface Spend {
  day: string;
  month: string;
  today: SpendTotals;
  thisMonth: SpendTotals;
  /** Biggest spenders of the month first, at most `MERCHANTS_SHOWN`. */
  merchants: MerchantSpend[];
  /** Merchants with spend this month (all, not only those shown). */
  merchantCount: number;
  /** undefined: no budget configured. Otherwise the global budgets of the current day and month. */
  budgets: BudgetStatus[] | undefined;
}

/** A page, not a report: the CLI's `riskq cost report` lists every merchant. */
const MERCHANTS_SHOWN = 20;

/**
 * Reads this month's ledger (UTC) and the budgets' current periods. Read-only: the budget guard is
 * only asked for `status`, which reads each budget's hash (limits from the configuration).
 */
export async function readSpend(options: {
  redis: Redis;
  prefix: string;
  budgets: BudgetConfig;
  now: number;
}): Promise<Spend> {
  const { redis, prefix, now } = options;
  const day = periodAt("day", now).id;
  const month = periodAt("month", now).id;
  const rows = await readLedger(redis, prefix, { from: `${month}-01`, to: day });

  const byMerchant = new Map<string, { today: SpendTotals; month: SpendTotals }>();
  const today = emptyTotals();
  const thisMonth = emptyTotals();
  for (const row of rows) {
    let merchant = byMerchant.get(row.merchantId);
    if (!merchant) {
      merchant = { today: emptyTotals(), month: emptyTotals() };
      byMerchant.set(row.merchantId, merchant);
    }
    addRow(thisMonth, row);
    addRow(merchant.month, row);
    if (row.day === day) {
      addRow(today, row);
      addRow(merchant.today, row);
    }
  }

  const configured = hasBudgets(options.budgets);
  const guard = createBudgetGuard({ redis, prefix, config: options.budgets, now: () => now });
  const total = (t: SpendTotals) => t.billedUnits + t.estimatedUnits;
  // Spenders first; then merchants with a budget of their own and no spend yet (so their limits show).
  const shown = [...byMerchant.keys()].sort(
    (a, b) => total(byMerchant.get(b)!.month) - total(byMerchant.get(a)!.month) || a.localeCompare(b),
  );
  for (const id of Object.keys(options.budgets.merchants ?? {}).sort())
    if (!byMerchant.has(id)) shown.push(id);
  const merchants = await Promise.all(
    shown.slice(0, MERCHANTS_SHOWN).map(async (merchantId): Promise<MerchantSpend> => {
      const spend = byMerchant.get(merchantId) ?? { today: emptyTotals(), month: emptyTotals() };
      const budgets = configured
        ? (await guard.status(merchantId)).filter((b) => b.budget.scope !== "global")
        : [];
      return { merchantId, ...spend, budgets };
    }),
  );
  return {
    day,
    month,
    today,
    thisMonth,
    merchants,
    merchantCount: byMerchant.size,
    budgets: configured ? await guard.status() : undefined,
  };
}

function emptyTotals(): SpendTotals {
  return { calls: 0, items: 0, flagged: 0, billedUnits: 0, estimatedUnits: 0, estimatedCalls: 0 };
}

function addRow(into: SpendTotals, { billed, estimated }: LedgerRow): void {
  into.calls += billed.calls + estimated.calls;
  into.items += billed.items + estimated.items;
  into.flagged += billed.flagged + estimated.flagged;
  into.billedUnits += billed.totalUnits;
  into.estimatedUnits += estimated.totalUnits;
  into.estimatedCalls += estimated.calls;
}
