/**
 * The price simulator: the monthly bill of the recorded traffic re-priced under other settings
 * (confidence threshold, batch size, pre-filter on/off), next to what the same days actually cost.
 * Pure: it takes what readRecordedTraffic returned.
 *
 * Per (task, model) series:
 * - flagged items: from the confidence histogram (`flagged = confidence ≥ threshold`, contract
 *   6.2), interpolated inside a 0.01 bin when the threshold is not on the grid; the recorded flag
 *   counts when the threshold stays as recorded;
 * - items sent: the recorded items sent, scaled by the share of items still sent remotely (the
 *   pre-filter's verdict buckets), so re-sends after silent drops and truncations stay in
 *   proportion; items billed in the recorded ratio of billed to sent (a silent drop bills none);
 * - calls: simulate-calls.ts;
 * - money: calls × call fee + items billed × item fee + flagged × review fee (docs/alipay-ai-api.md §9).
 * The month is the recorded days scaled to `monthDays` (30): a partial day counts as a whole one.
 */
import type { BilledAmounts, EstimatedAmounts } from "./ledger-read";
import { type PriceList, PUBLISHED_PRICE_UNITS } from "./ledger-units";
import { simulateCalls } from "./simulate-calls";
import { CONFIDENCE_BINS, PREFILTER_BUCKET_COUNT, PREFILTER_BUCKETS } from "./traffic-histogram";
import type { RecordedTraffic, TrafficSeries } from "./traffic-read";

export interface BillSettings {
  /** `confidence_threshold` of every call, within [0.05, 0.95]; none = as recorded. */
  threshold?: number | undefined;
  /** Batch cap, 1–100; none = as recorded. */
  batchSize?: number | undefined;
  /** Pre-filter deciding its clear cases locally, or every item sent; none = as recorded. */
  prefilter?: "on" | "off" | undefined;
  /** Fees in units of 0.0001 USD (default: the published list, docs/alipay-ai-api.md §9). */
  prices?: PriceList | undefined;
  /** Days in the projected month (default 30). */
  monthDays?: number | undefined;
}

/** One bill; counts may be fractional (expectations), money is in units of 0.0001 USD. */
export interface Bill {
  calls: number;
  itemsSent: number;
  itemsBilled: number;
  flagged: number;
  callUnits: number;
  itemUnits: number;
  reviewUnits: number;
  totalUnits: number;
}

export interface SeriesBill {
  task: string;
  modelVersion: string;
  /** What the recorded days cost (the ledger, estimates of lost answers included). */
  current: Bill;
  /** The same days re-priced under the settings. */
  proposed: Bill;
}

export interface MonthlyBillSimulation {
  days: string[];
  /** `monthDays / days.length`: recorded days → month. */
  scale: number;
  /** The settings simulated (null: as recorded). */
  settings: { threshold: number | null; batchSize: number | null; prefilter: "on" | "off" | null };
  /** The recorded days themselves. */
  period: { current: Bill; proposed: Bill };
  /** Projected to a month. */
  monthly: { current: Bill; proposed: Bill };
  series: SeriesBill[];
  /** Items the proposal sends remotely whose remote confidence was never measured. */
  unmeasuredItems: number;
  /** Assumptions the numbers rest on, in words. */
  notes: string[];
}

export const emptyBill = (): Bill => ({
  calls: 0,
  itemsSent: 0,
  itemsBilled: 0,
  flagged: 0,
  callUnits: 0,
  itemUnits: 0,
  reviewUnits: 0,
  totalUnits: 0,
});

const MONTH_DAYS = 30;

/** Predicts the monthly bill of the recorded traffic under `settings`, next to the current one. */
export function simulateMonthlyBill(
  recorded: RecordedTraffic,
  settings: BillSettings = {},
): MonthlyBillSimulation {
  checkSettings(settings);
  const prices = settings.prices ?? PUBLISHED_PRICE_UNITS;
  const notes = new Set<string>();
  let unmeasuredItems = 0;
  const series = recorded.series.map((s): SeriesBill => {
    const proposed = proposedBill(s, settings, prices, notes);
    unmeasuredItems += proposed.unmeasured;
    return {
      task: s.task,
      modelVersion: s.modelVersion,
      current: currentBill(s, prices),
      proposed: proposed.bill,
    };
  });
  const period = {
    current: sumBills(series.map((s) => s.current)),
    proposed: sumBills(series.map((s) => s.proposed)),
  };
  const scale = recorded.days.length === 0 ? 0 : (settings.monthDays ?? MONTH_DAYS) / recorded.days.length;
  return {
    days: recorded.days,
    scale,
    settings: {
      threshold: settings.threshold ?? null,
      batchSize: settings.batchSize ?? null,
      prefilter: settings.prefilter ?? null,
    },
    period,
    monthly: { current: scaleBill(period.current, scale), proposed: scaleBill(period.proposed, scale) },
    series,
    unmeasuredItems,
    notes: [...notes],
  };
}

function checkSettings(settings: BillSettings): void {
  const { threshold, batchSize, monthDays } = settings;
  if (threshold !== undefined && !(threshold >= 0.05 && threshold <= 0.95)) {
    throw new RangeError(
      `threshold must be within [0.05, 0.95] (the remote accepts no other), got ${threshold}`,
    );
  }
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 100)) {
    throw new RangeError(`batchSize must be a whole number from 1 to 100, got ${batchSize}`);
  }
  if (monthDays !== undefined && !(monthDays > 0))
    throw new RangeError(`monthDays must be > 0, got ${monthDays}`);
}

/** The ledger's own numbers for the series: billed, plus the estimates of lost answers. */
function currentBill(s: TrafficSeries, prices: PriceList): Bill {
  const b: BilledAmounts = s.billed;
  const e: EstimatedAmounts = s.estimated;
  return {
    calls: b.calls + e.calls,
    itemsSent: b.items + e.items,
    itemsBilled: b.itemUnits / prices.item + e.items,
    flagged: b.flagged + e.flagged,
    callUnits: b.callUnits + e.callUnits,
    itemUnits: b.itemUnits + e.itemUnits,
    reviewUnits: b.reviewUnits + e.reviewUnits,
    totalUnits: b.totalUnits + e.totalUnits,
  };
}

function proposedBill(
  s: TrafficSeries,
  settings: BillSettings,
  prices: PriceList,
  notes: Set<string>,
): { bill: Bill; unmeasured: number } {
  const { undecided, legit, fraud } = PREFILTER_BUCKETS;
  const measured = s.confidence.map(sum);
  const measuredAll = sum(measured);
  const sent = s.calls.reduce((n, c) => n + c.items * c.count, 0);

  // Which pre-filter buckets go to Alipay under the settings; as recorded, what was measured was sent.
  const remote = (bucket: number) => settings.prefilter !== "on" || bucket === undecided;
  let remoteMeasured = 0;
  let flagged = 0;
  const undecidedShare = shareAtOrAbove(s.confidence[undecided]!, settings.threshold, s.flagged[undecided]!);
  for (let bucket = 0; bucket < PREFILTER_BUCKET_COUNT; bucket++) {
    if (!remote(bucket)) continue;
    remoteMeasured += measured[bucket]!;
    flagged +=
      settings.threshold === undefined
        ? s.flagged[bucket]!
        : atOrAbove(s.confidence[bucket]!, settings.threshold);
  }

  // Items decided locally when recorded, sent under the settings: no remote confidence was seen.
  let unmeasured = 0;
  if (settings.prefilter !== undefined) {
    for (let bucket = 0; bucket < PREFILTER_BUCKET_COUNT; bucket++) {
      const local = s.local[bucket]!;
      if (local === 0 || !remote(bucket)) continue;
      unmeasured += local;
      flagged += bucket === fraud ? local : bucket === legit ? 0 : local * (undecidedShare ?? 0);
    }
  }
  if (unmeasured > 0) {
    notes.add(
      "items the pre-filter decided locally when recorded have no remote confidence: counted as flagged when it called them fraud, as not flagged when it called them legitimate",
    );
  }
  if (
    settings.prefilter === "on" &&
    measured[legit]! + measured[fraud]! + s.local[legit]! + s.local[fraud]! === 0
  ) {
    notes.add(
      "no pre-filter verdicts were recorded (every item undecided): pre-filter on changes nothing here",
    );
  }
  if (settings.threshold !== undefined && Math.round(settings.threshold * 10_000) % 100 !== 0) {
    notes.add("a threshold between two 0.01 bins is interpolated within its bin");
  }
  if (settings.batchSize !== undefined && s.calls.some((c) => !c.capBound && c.items > settings.batchSize!)) {
    notes.add(
      "calls that left before they were full are split into calls of the new batch size; when the worker's concurrency and linger (not the cap) shaped them, more, smaller calls may follow than predicted",
    );
  }
  const largestFull = Math.max(0, ...s.calls.filter((c) => c.capBound).map((c) => c.items));
  if (settings.batchSize !== undefined && largestFull > 0 && settings.batchSize > largestFull) {
    notes.add(
      `a batch size above the recorded full batches (${largestFull}) assumes their items would have filled the larger batches (fewest calls)`,
    );
  }

  // Sent items follow the remote ones, re-sends (silent drops, truncations) in proportion.
  const keep = measuredAll > 0 ? (remoteMeasured + unmeasured) / measuredAll : 1;
  const itemsSent = sent * keep;
  const billedRatio = s.billed.items > 0 ? s.billed.itemUnits / prices.item / s.billed.items : 1;
  const itemsBilled = itemsSent * billedRatio;
  const calls = simulateCalls(s.calls, keep, settings.batchSize);
  return {
    bill: priced({ calls, itemsSent, itemsBilled, flagged }, prices),
    unmeasured,
  };
}

/** Items of a histogram at or above `threshold`, interpolating inside the threshold's bin. */
export function atOrAbove(histogram: readonly number[], threshold: number): number {
  const position = Math.round(threshold * 10_000) / 100;
  const bin = Math.floor(position);
  const inBin = position - bin;
  let count = (histogram[bin] ?? 0) * (1 - inBin);
  for (let i = bin + 1; i < CONFIDENCE_BINS; i++) count += histogram[i] ?? 0;
  return count;
}

/** The flagged share of a histogram (at `threshold`, or as recorded); undefined when empty. */
function shareAtOrAbove(
  histogram: readonly number[],
  threshold: number | undefined,
  recordedFlagged: number,
): number | undefined {
  const items = sum(histogram);
  if (items === 0) return undefined;
  return (threshold === undefined ? recordedFlagged : atOrAbove(histogram, threshold)) / items;
}

function priced(
  counts: Pick<Bill, "calls" | "itemsSent" | "itemsBilled" | "flagged">,
  prices: PriceList,
): Bill {
  const callUnits = counts.calls * prices.call;
  const itemUnits = counts.itemsBilled * prices.item;
  const reviewUnits = counts.flagged * prices.review;
  return { ...counts, callUnits, itemUnits, reviewUnits, totalUnits: callUnits + itemUnits + reviewUnits };
}

function sumBills(bills: readonly Bill[]): Bill {
  const total = emptyBill();
  for (const bill of bills) for (const k of Object.keys(total) as Array<keyof Bill>) total[k] += bill[k];
  return total;
}

function scaleBill(bill: Bill, factor: number): Bill {
  const scaled = emptyBill();
  for (const k of Object.keys(scaled) as Array<keyof Bill>) scaled[k] = bill[k] * factor;
  return scaled;
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
