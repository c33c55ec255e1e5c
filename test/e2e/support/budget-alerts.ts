import type { Redis } from "ioredis";

/** A `budget_threshold` event as the workers put it on the alert stream. */
export interface BudgetAlertEvent {
  kind: "budget_threshold";
  subject: string;
  reason: string;
  key: string;
  message: string;
}

/**
 * The budget alerts published under `prefix` so far, read straight from the alert stream
 * (`<prefix>:alerts:events`, one JSON `event` field per entry) as the alerter would.
 */
export async function budgetAlerts(redis: Redis, prefix: string): Promise<BudgetAlertEvent[]> {
  const entries = await redis.xrange(`${prefix}:alerts:events`, "-", "+");
  return entries
    .map(([, fields]) => JSON.parse(fields[fields.indexOf("event") + 1] ?? "{}") as { kind?: string })
    .filter((e): e is BudgetAlertEvent => e.kind === "budget_threshold");
}
