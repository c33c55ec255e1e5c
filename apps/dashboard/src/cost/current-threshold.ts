import { DEFAULT_CONFIDENCE_THRESHOLD } from "@riskq/contracts";
import { atOrAbove, CONFIDENCE_BINS, type RecordedTraffic } from "@riskq/cost";

/** The `confidence_threshold` the recorded calls used, as far as the recording tells. */
export interface CurrentThreshold {
  value: number;
  /**
   * `default`: the contract's 0.7, which the recorded flag count agrees with (or nothing was
   * recorded); `recorded`: the 0.01 step at which the recorded confidences give the recorded flag
   * count (jobs set their own threshold, so with several in use it is their effective mix).
   */
  source: "default" | "recorded";
}

/** The thresholds a job may ask for (docs/alipay-ai-api.md §6.1), on the 0.01 grid of the recorded bins. */
const THRESHOLD_MIN = 0.05;
const THRESHOLD_MAX = 0.95;

/** `from`, `from + step`, … `to` (both on a 0.01 grid), without floating-point drift. */
export function thresholdGrid(from = THRESHOLD_MIN, to = THRESHOLD_MAX, step = 0.01): number[] {
  const out: number[] = [];
  const [a, b, s] = [from, to, step].map((v) => Math.round(v * 100)) as [number, number, number];
  for (let k = a; k <= b; k += s) out.push(k / 100);
  return out;
}

/**
 * Infers the threshold in use from recorded traffic. The recording keeps no threshold, but every
 * remotely scored item's confidence (0.01 bins) and whether Alipay flagged it — and
 * `flagged = confidence ≥ threshold` (docs/alipay-ai-api.md §6.2) — so a threshold on the 0.01 grid shows itself
 * as the one whose count of confidences at or above it equals the flag count.
 */
export function currentThreshold(traffic: RecordedTraffic): CurrentThreshold {
  const histogram = new Array<number>(CONFIDENCE_BINS).fill(0);
  let flagged = 0;
  for (const series of traffic.series) {
    for (const bucket of series.confidence) {
      bucket.forEach((n, bin) => {
        histogram[bin]! += n;
      });
    }
    for (const n of series.flagged) flagged += n;
  }
  const scored = histogram.reduce((a, b) => a + b, 0);
  const distance = (t: number) => Math.abs(atOrAbove(histogram, t) - flagged);
  if (scored === 0 || distance(DEFAULT_CONFIDENCE_THRESHOLD) < 0.5) {
    return { value: DEFAULT_CONFIDENCE_THRESHOLD, source: "default" };
  }
  // The closest fit. Thresholds between which no confidence was recorded fit equally (and bill
  // alike); among them the roundest, as people set them (0.5 before 0.55 before 0.51), then the one
  // nearest the default.
  const rank = (t: number) => [distance(t), roundness(t), Math.abs(t - DEFAULT_CONFIDENCE_THRESHOLD)];
  let best = DEFAULT_CONFIDENCE_THRESHOLD;
  for (const t of thresholdGrid()) if (lessThan(rank(t), rank(best))) best = t;
  return { value: best, source: "recorded" };
}

/** 0 for a multiple of 0.1, 1 for one of 0.05, 2 otherwise. */
function roundness(t: number): number {
  const hundredths = Math.round(t * 100);
  return hundredths % 10 === 0 ? 0 : hundredths % 5 === 0 ? 1 : 2;
}

function lessThan(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
