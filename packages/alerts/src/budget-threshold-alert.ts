import type { AlertEventInput } from "./alert-event";

/** What the alert needs of the cost package's `BudgetCrossing` (kept structural: no dependency). */
export interface BudgetCrossed {
  /** "global daily budget", "monthly budget of merchant …". */
  name: string;
  /** The budget's period: its id ("2026-05-01", "2026-05") and when the next one begins (epoch ms). */
  period: { id: string; end: number };
  /** 80 and 90: that share is spent; 100: exhausted. */
  thresholdPct: 80 | 90 | 100;
  spentUsd: number;
  limitUsd: number;
}

const usd = (value: number) => `$${value.toFixed(4)}`;

/**
 * The alert of a budget crossing 80 % or 90 %, or running out (100 %). The guard reports each
 * crossing once per budget, period and threshold across every worker (Redis de-duplicates); the
 * identity carries the period, so the next day's 80 % is news again while the three thresholds of
 * one budget share a notification group. `onExhausted` is what stopped jobs do (RISKQ_BUDGET_EXHAUSTED).
 */
export function budgetThresholdAlert(
  crossing: BudgetCrossed,
  onExhausted: "wait" | "dead-letter",
): AlertEventInput {
  const { name, period, thresholdPct } = crossing;
  const spent = `${usd(crossing.spentUsd)} of ${usd(crossing.limitUsd)}`;
  const jobs =
    onExhausted === "wait" ? "jobs wait (without spending attempts)" : "jobs dead-letter as budget_exhausted";
  const message =
    thresholdPct === 100
      ? `the ${name} for ${period.id} (UTC) is exhausted: ${spent} spent, less than one call's worst case left; ` +
        `calls stop until ${new Date(period.end).toISOString()} and ${jobs}`
      : `${thresholdPct}% of the ${name} for ${period.id} (UTC) is spent: ${spent}`;
  return {
    kind: "budget_threshold",
    group: name,
    subject: name,
    reason: thresholdPct === 100 ? "exhausted" : `${thresholdPct}%`,
    key: `${name}|${period.id}|${thresholdPct}`,
    message,
  };
}
