/** Reading recorded traffic (with the ledger's totals) back, as the simulator takes it. */
import type { Redis } from "ioredis";
import { trafficDayKey } from "./ledger-keys";
import {
  addLedgerRow,
  type BilledAmounts,
  type EstimatedAmounts,
  emptyBilled,
  emptyEstimated,
  type LedgerRange,
  readLedger,
  recordedDays,
} from "./ledger-read";
import { CONFIDENCE_BINS, PREFILTER_BUCKET_COUNT, parseTrafficField } from "./traffic-histogram";

/** How many calls carried `items` items (`capBound`: full batches). */
export interface CallSize {
  items: number;
  capBound: boolean;
  count: number;
}

/** Everything recorded for one (task, model) over the days read. */
export interface TrafficSeries {
  task: string;
  modelVersion: string;
  /** `confidence[bucket][bin]`: items scored remotely, by pre-filter bucket and confidence bin. */
  confidence: number[][];
  /** `flagged[bucket]`: of those, the items flagged at the threshold the calls used. */
  flagged: number[];
  /** `local[bucket]`: items the pre-filter decided locally (never sent). */
  local: number[];
  /** Calls by the number of items they carried. */
  calls: CallSize[];
  /** The ledger's totals for this (task, model): what answered calls billed, and the estimates. */
  billed: BilledAmounts;
  estimated: EstimatedAmounts;
}

/** What the simulator re-prices: the days read and one series per (task, model). */
export interface RecordedTraffic {
  days: string[];
  series: TrafficSeries[];
}

export function emptySeries(task: string, modelVersion: string): TrafficSeries {
  const perBucket = () => new Array<number>(PREFILTER_BUCKET_COUNT).fill(0);
  return {
    task,
    modelVersion,
    confidence: Array.from({ length: PREFILTER_BUCKET_COUNT }, () =>
      new Array<number>(CONFIDENCE_BINS).fill(0),
    ),
    flagged: perBucket(),
    local: perBucket(),
    calls: [],
    billed: emptyBilled(),
    estimated: emptyEstimated(),
  };
}

/** The recorded traffic of the days in `range` (all merchants), one series per (task, model). */
export async function readRecordedTraffic(
  redis: Redis,
  prefix: string,
  range: LedgerRange = {},
): Promise<RecordedTraffic> {
  const days = await recordedDays(redis, prefix, range);
  const series = new Map<string, TrafficSeries>();
  const seriesOf = (task: string, modelVersion: string): TrafficSeries => {
    const key = `${task}|${modelVersion}`;
    let found = series.get(key);
    if (!found) {
      found = emptySeries(task, modelVersion);
      series.set(key, found);
    }
    return found;
  };
  if (days.length === 0) return { days, series: [] };

  const pipeline = redis.pipeline();
  for (const day of days) pipeline.hgetall(trafficDayKey(prefix, day));
  const [hashes, ledger] = await Promise.all([
    pipeline.exec(),
    readLedger(redis, prefix, { from: days[0], to: days.at(-1) }),
  ]);
  const callSizes = new Map<TrafficSeries, Map<string, CallSize>>();
  for (const [err, hash] of hashes ?? []) {
    if (err) throw err;
    for (const [text, value] of Object.entries(hash as Record<string, string>)) {
      const field = parseTrafficField(text);
      const count = Number(value);
      if (!field || !Number.isFinite(count)) continue;
      const s = seriesOf(field.task, field.modelVersion);
      switch (field.kind) {
        case "conf":
          s.confidence[field.bucket]![field.bin]! += count;
          break;
        case "flag":
          s.flagged[field.bucket]! += count;
          break;
        case "local":
          s.local[field.bucket]! += count;
          break;
        case "call": {
          const sizes = callSizes.get(s) ?? new Map<string, CallSize>();
          callSizes.set(s, sizes);
          const key = `${field.items}|${field.capBound}`;
          const size = sizes.get(key) ?? { items: field.items, capBound: field.capBound, count: 0 };
          size.count += count;
          sizes.set(key, size);
        }
      }
    }
  }
  for (const [s, sizes] of callSizes) {
    s.calls = [...sizes.values()].sort(
      (a, b) => a.items - b.items || Number(a.capBound) - Number(b.capBound),
    );
  }
  for (const row of ledger) addLedgerRow(seriesOf(row.task, row.modelVersion), row);
  return {
    days,
    series: [...series.values()].sort(
      (a, b) => a.task.localeCompare(b.task) || a.modelVersion.localeCompare(b.modelVersion),
    ),
  };
}
