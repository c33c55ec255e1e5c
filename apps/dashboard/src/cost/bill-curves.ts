import { PREFILTER_BUCKETS, type RecordedTraffic, simulateMonthlyBill } from "@riskq/cost";
import { billedPrefilter, type CostSettings } from "./cost-settings";
import { type CurrentThreshold, currentThreshold, thresholdGrid } from "./current-threshold";

/** Batch sizes drawn besides the current BATCH_CAP: the range an operator would try. */
const CURVE_BATCH_SIZES = [10, 25, 50, 100] as const;
const PREFILTER_MODES = ["off", "on"] as const;
/** Days of the projected month (the recorded days are scaled to it). */
export const MONTH_DAYS = 30;

/** The projected monthly bill of one (pre-filter, batch size) at every threshold of the grid. */
export interface BillCurve {
  prefilter: "off" | "on";
  batchSize: number;
  /** In units of 0.0001 USD (fractional: a simulation), one per threshold. */
  monthlyUnits: number[];
}

/** The bill curves of the recorded traffic, with the setting in use marked. */
export interface BillProjection {
  /** The recorded days simulated. */
  days: string[];
  thresholds: number[];
  curves: BillCurve[];
  /** What the recorded days cost (ledger, estimates included), scaled to a month. */
  recordedMonthlyUnits: number;
  current: {
    threshold: CurrentThreshold;
    batchSize: number;
    /** RISKQ_PREFILTER as configured, and as it bills. */
    prefilterSetting: CostSettings["prefilter"];
    prefilter: "off" | "on";
    monthlyUnits: number;
  };
  /** What the recording itself says of the workers' settings. */
  recorded: { largestFullBatch: number | null; itemsDecidedLocally: number };
  /** The simulator's assumptions behind some of the numbers, and mismatches worth knowing. */
  notes: string[];
}

/**
 * Re-prices the recorded traffic with `simulateMonthlyBill` at every threshold from 0.05 to 0.95,
 * for a few batch sizes (and the current cap), pre-filter off and on; undefined when nothing is
 * recorded. The current setting's point is computed exactly as its curve's.
 */
export function projectBills(traffic: RecordedTraffic, settings: CostSettings): BillProjection | undefined {
  if (traffic.days.length === 0 || traffic.series.length === 0) return undefined;
  const thresholds = thresholdGrid();
  const batchSizes = [...new Set([...CURVE_BATCH_SIZES, settings.batchCap])].sort((a, b) => a - b);
  const notes = new Set<string>();
  const monthly = (threshold: number, batchSize: number, prefilter: "on" | "off") => {
    const sim = simulateMonthlyBill(traffic, { threshold, batchSize, prefilter, monthDays: MONTH_DAYS });
    for (const note of sim.notes) notes.add(note);
    return sim;
  };

  const curves: BillCurve[] = PREFILTER_MODES.flatMap((prefilter) =>
    batchSizes.map((batchSize) => ({
      prefilter,
      batchSize,
      monthlyUnits: thresholds.map((t) => monthly(t, batchSize, prefilter).monthly.proposed.totalUnits),
    })),
  );

  const threshold = currentThreshold(traffic);
  const prefilter = billedPrefilter(settings.prefilter);
  const now = monthly(threshold.value, settings.batchCap, prefilter);
  const recorded = recordedSettings(traffic);
  // A full batch left because of the cap, so it shows the cap it was recorded with.
  if (recorded.largestFullBatch !== null && recorded.largestFullBatch !== settings.batchCap) {
    notes.add(
      `recorded full batches carried ${recorded.largestFullBatch} items but BATCH_CAP is ${settings.batchCap} here: if the workers' cap differs, give the dashboard theirs`,
    );
  }
  if (recorded.itemsDecidedLocally > 0 && prefilter === "off") {
    notes.add(
      `the pre-filter decided ${recorded.itemsDecidedLocally} recorded items locally, but RISKQ_PREFILTER=${settings.prefilter} here: give the dashboard the workers' RISKQ_PREFILTER`,
    );
  }
  return {
    days: traffic.days,
    thresholds,
    curves,
    recordedMonthlyUnits: now.monthly.current.totalUnits,
    current: {
      threshold,
      batchSize: settings.batchCap,
      prefilterSetting: settings.prefilter,
      prefilter,
      monthlyUnits: now.monthly.proposed.totalUnits,
    },
    recorded,
    notes: [...notes],
  };
}

function recordedSettings(traffic: RecordedTraffic): BillProjection["recorded"] {
  let largestFullBatch: number | null = null;
  let itemsDecidedLocally = 0;
  for (const s of traffic.series) {
    for (const call of s.calls) {
      if (call.capBound) largestFullBatch = Math.max(largestFullBatch ?? 0, call.items);
    }
    itemsDecidedLocally += (s.local[PREFILTER_BUCKETS.legit] ?? 0) + (s.local[PREFILTER_BUCKETS.fraud] ?? 0);
  }
  return { largestFullBatch, itemsDecidedLocally };
}
