import type { AlertEventInput } from "@riskq/alerts";
import type { BudgetCrossing } from "@riskq/cost";

const usd = (value: number) => `$${value.toFixed(4)}`;

/**
 * The alert of a budget crossing 80 % or 90 %, or running out (100 %). The guard reports each
 * crossing once per budget, period and threshold across every worker (Redis de-duplicates); the
 * identity carries the period, so the next day's 80 % is news again while the three thresholds of
 * one budget share a notification group.
 */
export function budgetThresholdAlert(
  crossing: BudgetCrossing,
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
