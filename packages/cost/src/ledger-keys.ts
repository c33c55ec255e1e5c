/**
 * Where the ledger and the recorded traffic live, under the worker's prefix (a `{hash tag}`, so
 * one script touches them together in one cluster slot):
 *
 * - `<prefix>:cost:ledger:<day>` — hash, field `<merchant>|<task>|<model>|<metric>` (LEDGER_METRICS)
 * - `<prefix>:cost:traffic:<day>` — hash, field `<task>|<model>|<kind>|…` (traffic-histogram.ts)
 * - `<prefix>:cost:days` — sorted set of the days recorded (score = days since 1970-01-01)
 */

export const ledgerDayKey = (prefix: string, day: string): string => `${prefix}:cost:ledger:${day}`;
export const trafficDayKey = (prefix: string, day: string): string => `${prefix}:cost:traffic:${day}`;
export const recordedDaysKey = (prefix: string): string => `${prefix}:cost:days`;

/** How long a day of ledger and traffic is kept after its last write, by default. */
export const DEFAULT_RETENTION_DAYS = 400;

/** Separates the parts of a field; no merchant id, task or model version may contain it. */
const FIELD_SEPARATOR = "|";

/** What the ledger counts per (day, merchant, task, model), for calls that answered. */
export const LEDGER_METRICS = [
  "calls",
  /** Items sent (what the micro-batch held). */
  "items",
  /** Items the answer scored (fewer than sent on a silent drop or a truncation). */
  "answered",
  "flagged",
  "call_units",
  "item_units",
  "review_units",
  "total_units",
] as const;

/**
 * The same for calls whose answer was lost (a client timeout after the request may have reached
 * Alipay): never billed to us visibly, so estimated from what was sent and kept apart.
 * `estimated_flagged` is an expected count, so it may hold a fraction.
 */
export const ESTIMATE_METRICS = [
  "estimated_calls",
  "estimated_items",
  "estimated_flagged",
  "estimated_call_units",
  "estimated_item_units",
  "estimated_review_units",
  "estimated_total_units",
] as const;

export type LedgerMetric = (typeof LEDGER_METRICS)[number] | (typeof ESTIMATE_METRICS)[number];

/** `<a>|<b>|…`, refusing parts that would make two different keys share a field. */
export function fieldOf(...parts: ReadonlyArray<string | number>): string {
  for (const part of parts) {
    const text = String(part);
    if (text === "" || text.includes(FIELD_SEPARATOR)) {
      throw new RangeError(`invalid cost ledger key part: ${JSON.stringify(text)}`);
    }
  }
  return parts.join(FIELD_SEPARATOR);
}
