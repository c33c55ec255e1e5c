/** Reading the ledger back: rows per (day, merchant, task, model), for reports and the simulator. */
import type { Redis } from "ioredis";
import { checkDay, dayNumberOf } from "./ledger-days";
import { type ESTIMATE_METRICS, type LEDGER_METRICS, ledgerDayKey, recordedDaysKey } from "./ledger-keys";

/** What answered calls billed (money in units of 0.0001 USD). */
export interface BilledAmounts {
  calls: number;
  /** Items sent. */
  items: number;
  /** Items scored by the answers. */
  answered: number;
  flagged: number;
  callUnits: number;
  itemUnits: number;
  reviewUnits: number;
  totalUnits: number;
}

/** What calls whose answer was lost are estimated to have billed; `flagged` is an expectation. */
export interface EstimatedAmounts {
  calls: number;
  items: number;
  flagged: number;
  callUnits: number;
  itemUnits: number;
  reviewUnits: number;
  totalUnits: number;
}

export interface LedgerRow {
  day: string;
  merchantId: string;
  task: string;
  modelVersion: string;
  billed: BilledAmounts;
  estimated: EstimatedAmounts;
}

export interface LedgerRange {
  /** First day (YYYY-MM-DD, UTC), inclusive; none = from the oldest day kept. */
  from?: string | undefined;
  /** Last day, inclusive; none = up to the newest. */
  to?: string | undefined;
}

export const emptyBilled = (): BilledAmounts => ({
  calls: 0,
  items: 0,
  answered: 0,
  flagged: 0,
  callUnits: 0,
  itemUnits: 0,
  reviewUnits: 0,
  totalUnits: 0,
});

export const emptyEstimated = (): EstimatedAmounts => ({
  calls: 0,
  items: 0,
  flagged: 0,
  callUnits: 0,
  itemUnits: 0,
  reviewUnits: 0,
  totalUnits: 0,
});

const BILLED_FIELDS: Record<(typeof LEDGER_METRICS)[number], keyof BilledAmounts> = {
  calls: "calls",
  items: "items",
  answered: "answered",
  flagged: "flagged",
  call_units: "callUnits",
  item_units: "itemUnits",
  review_units: "reviewUnits",
  total_units: "totalUnits",
};

const ESTIMATED_FIELDS: Record<(typeof ESTIMATE_METRICS)[number], keyof EstimatedAmounts> = {
  estimated_calls: "calls",
  estimated_items: "items",
  estimated_flagged: "flagged",
  estimated_call_units: "callUnits",
  estimated_item_units: "itemUnits",
  estimated_review_units: "reviewUnits",
  estimated_total_units: "totalUnits",
};

/** The days with a ledger or traffic in the range, oldest first. */
export async function recordedDays(redis: Redis, prefix: string, range: LedgerRange = {}): Promise<string[]> {
  const min = range.from === undefined ? "-inf" : dayNumberOf(checkDay(range.from));
  const max = range.to === undefined ? "+inf" : dayNumberOf(checkDay(range.to));
  return redis.zrangebyscore(recordedDaysKey(prefix), min, max);
}

/** Every ledger row of the range (optionally of one merchant), by day, merchant, task, model. */
export async function readLedger(
  redis: Redis,
  prefix: string,
  range: LedgerRange & { merchantId?: string | undefined } = {},
): Promise<LedgerRow[]> {
  const days = await recordedDays(redis, prefix, range);
  if (days.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const day of days) pipeline.hgetall(ledgerDayKey(prefix, day));
  const hashes = (await pipeline.exec()) ?? [];
  const rows: LedgerRow[] = [];
  days.forEach((day, i) => {
    const [err, hash] = hashes[i] ?? [null, {}];
    if (err) throw err;
    const byRow = new Map<string, LedgerRow>();
    for (const [field, value] of Object.entries(hash as Record<string, string>)) {
      const parts = field.split("|");
      if (parts.length !== 4) continue;
      const [merchantId, task, modelVersion, metric] = parts as [string, string, string, string];
      if (range.merchantId !== undefined && merchantId !== range.merchantId) continue;
      const rowKey = `${merchantId}|${task}|${modelVersion}`;
      let row = byRow.get(rowKey);
      if (!row) {
        row = { day, merchantId, task, modelVersion, billed: emptyBilled(), estimated: emptyEstimated() };
        byRow.set(rowKey, row);
      }
      const n = Number(value);
      if (metric in BILLED_FIELDS) row.billed[BILLED_FIELDS[metric as keyof typeof BILLED_FIELDS]] = n;
      else if (metric in ESTIMATED_FIELDS)
        row.estimated[ESTIMATED_FIELDS[metric as keyof typeof ESTIMATED_FIELDS]] = n;
    }
    rows.push(...[...byRow.values()].sort(compareRows));
  });
  return rows;
}

function compareRows(a: LedgerRow, b: LedgerRow): number {
  return (
    a.merchantId.localeCompare(b.merchantId) ||
    a.task.localeCompare(b.task) ||
    a.modelVersion.localeCompare(b.modelVersion)
  );
}

/** Adds `row` into `into` (both parts). */
export function addLedgerRow(
  into: { billed: BilledAmounts; estimated: EstimatedAmounts },
  row: { billed: BilledAmounts; estimated: EstimatedAmounts },
): void {
  for (const k of Object.keys(into.billed) as Array<keyof BilledAmounts>) into.billed[k] += row.billed[k];
  for (const k of Object.keys(into.estimated) as Array<keyof EstimatedAmounts>)
    into.estimated[k] += row.estimated[k];
}
