/**
 * Recorded traffic: what the simulator needs to re-price a day's calls under other settings, kept
 * per (day, task, model) in the day's traffic hash (ledger-keys.ts), one field per counter:
 *
 * - `<task>|<model>|conf|<bucket>|<bin>` — items scored remotely whose confidence fell in `bin`
 *   (0.01 wide) and whose pre-filter verdict was `bucket`; `flagged = confidence ≥ threshold`
 *   (docs/alipay-ai-api.md §6.2), so the flagged share at any threshold is a sum over bins;
 * - `<task>|<model>|flag|<bucket>` — of those, the ones flagged at the threshold actually used;
 * - `<task>|<model>|local|<bucket>` — items the pre-filter decided locally (no remote confidence);
 * - `<task>|<model>|call|<items>|<capBound>` — calls that carried `items` items; capBound 1 when
 *   the batch was full (it left because of the cap, not for lack of company).
 */
import { fieldOf } from "./ledger-keys";

/** Confidence bins of 0.01: bin k holds [k/100, (k+1)/100); a confidence of 1 goes to the last. */
export const CONFIDENCE_BINS = 100;

/**
 * What the local pre-filter says of an item (its two cuts on P(fraud)): nothing (`undecided`,
 * the item must go to Alipay), clearly legitimate, or clearly fraudulent. The worker passes the
 * bucket of every item it scores remotely, whether the pre-filter is on or only watching, so
 * the simulator can tell how many items a pre-filter would keep from Alipay and what the rest score.
 * An item without a bucket (no pre-filter in the worker) is recorded as `undecided`.
 */
export const PREFILTER_BUCKETS = { undecided: 0, legit: 1, fraud: 2 } as const;
export type PrefilterBucket = (typeof PREFILTER_BUCKETS)[keyof typeof PREFILTER_BUCKETS];
export const PREFILTER_BUCKET_COUNT = 3;

export function isPrefilterBucket(value: number): value is PrefilterBucket {
  return Number.isInteger(value) && value >= 0 && value < PREFILTER_BUCKET_COUNT;
}

/**
 * The bin of a confidence. Contract confidences have 4 decimals: going through whole ten-thousandths
 * keeps 0.57 in bin 57 (0.57 × 100 is 56.99999999999999 in floating point).
 */
export function confidenceBin(confidence: number): number {
  const tenThousandths = Math.round(confidence * 10_000);
  return Math.min(CONFIDENCE_BINS - 1, Math.max(0, Math.floor(tenThousandths / 100)));
}

export type TrafficField =
  | { kind: "conf"; task: string; modelVersion: string; bucket: PrefilterBucket; bin: number }
  | { kind: "flag"; task: string; modelVersion: string; bucket: PrefilterBucket }
  | { kind: "local"; task: string; modelVersion: string; bucket: PrefilterBucket }
  | { kind: "call"; task: string; modelVersion: string; items: number; capBound: boolean };

export function trafficFieldOf(field: TrafficField): string {
  switch (field.kind) {
    case "conf":
      return fieldOf(field.task, field.modelVersion, "conf", field.bucket, field.bin);
    case "flag":
    case "local":
      return fieldOf(field.task, field.modelVersion, field.kind, field.bucket);
    case "call":
      return fieldOf(field.task, field.modelVersion, "call", field.items, field.capBound ? 1 : 0);
  }
}

/** The inverse of trafficFieldOf; undefined for a field this version does not know (skipped). */
export function parseTrafficField(text: string): TrafficField | undefined {
  const [task, modelVersion, kind, a, b, ...rest] = text.split("|");
  if (!task || !modelVersion || rest.length > 0) return undefined;
  const first = Number(a);
  if (kind === "call") {
    if (!Number.isInteger(first) || first < 1 || (b !== "0" && b !== "1")) return undefined;
    return { kind, task, modelVersion, items: first, capBound: b === "1" };
  }
  if (!isPrefilterBucket(first)) return undefined;
  if (kind === "conf") {
    const bin = Number(b);
    if (!Number.isInteger(bin) || bin < 0 || bin >= CONFIDENCE_BINS) return undefined;
    return { kind, task, modelVersion, bucket: first, bin };
  }
  if ((kind === "flag" || kind === "local") && b === undefined)
    return { kind, task, modelVersion, bucket: first };
  return undefined;
}
