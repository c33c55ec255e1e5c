import { Gauge, type Registry } from "prom-client";
import { collectErrors } from "./registry";
import { sharedRead } from "./shared-read";

/** One global budget's current period, as the budget guard's `status()` reports it (structurally). */
export interface BudgetReading {
  budget: { period: "day" | "month" };
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
}

/**
 * The global budgets (docs/budget-and-cost.md, "Budget"), read from Redis at scrape time: the same numbers
 * from every worker. Per-merchant budgets are left out: a label per merchant would have no bound.
 */
export function budgetMetrics(registry: Registry, read: () => Promise<BudgetReading[]>): void {
  const errors = collectErrors(registry);
  const shared = sharedRead(read);
  const gauge = (name: string, help: string, value: (b: BudgetReading) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["period"],
      registers: [registry],
      async collect() {
        this.reset();
        let readings: BudgetReading[];
        try {
          readings = await shared();
        } catch {
          errors.inc({ collector: name });
          return;
        }
        for (const b of readings) this.set({ period: b.budget.period }, value(b));
      },
    });
  gauge(
    "riskq_budget_limit_usd",
    "The global budget of the current UTC day or month, in USD",
    (b) => b.limitUsd,
  );
  gauge(
    "riskq_budget_spent_usd",
    "Spent of the global budget this UTC day or month (settled bills, plus estimates of calls whose bill is unknown)",
    (b) => b.spentUsd,
  );
  gauge(
    "riskq_budget_reserved_usd",
    "Held of the global budget by calls in flight (their worst-case estimates)",
    (b) => b.reservedUsd,
  );
}
