/** A budget's period: a UTC calendar day or month. */
export type BudgetPeriodKind = "day" | "month";

export interface BudgetPeriod {
  kind: BudgetPeriodKind;
  /** "2026-05-01" for a day, "2026-05" for a month (UTC). */
  id: string;
  /** Epoch ms of the period's first instant. */
  start: number;
  /** Epoch ms of the next period's first instant: when the budget frees again. */
  end: number;
}

/** The period of `kind` that contains `now` (UTC: no time zone or DST can make a day 23 hours). */
export function periodAt(kind: BudgetPeriodKind, now: number): BudgetPeriod {
  const at = new Date(now);
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  const mm = String(month + 1).padStart(2, "0");
  if (kind === "month") {
    return { kind, id: `${year}-${mm}`, start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
  }
  const day = at.getUTCDate();
  return {
    kind,
    id: `${year}-${mm}-${String(day).padStart(2, "0")}`,
    start: Date.UTC(year, month, day),
    end: Date.UTC(year, month, day + 1),
  };
}
