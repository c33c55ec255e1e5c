import { setTimeout as sleep } from "node:timers/promises";

/** One reading of the shared limiter's batch/predict bucket (ms on the bench's clock, calls/s). */
export interface RateSample {
  at: number;
  rate: number;
}

const GAUGE = "riskq_limiter_rate_per_second";
/**
 * The batch/predict method's bucket, by the names riskq has used for it; the tighter of all buckets
 * when none of them is exported.
 */
const BATCH_BUCKETS = ["method", "batch-predict"];
const SCRAPE_TIMEOUT_MS = 1_000;

/** The batch bucket's rate in a worker's `/metrics` text; undefined while the limiter has no state. */
function batchBucketRate(exposition: string): number | undefined {
  const rates = new Map<string, number>();
  for (const line of exposition.split("\n")) {
    if (!line.startsWith(`${GAUGE}{`)) continue;
    const match = /bucket="([^"]*)"[^}]*\}\s+(\S+)/.exec(line);
    if (match) rates.set(match[1]!, Number(match[2]));
  }
  for (const name of BATCH_BUCKETS) {
    const rate = rates.get(name);
    if (rate !== undefined) return rate;
  }
  return rates.size > 0 ? Math.min(...rates.values()) : undefined;
}

/**
 * Reads the shared call-rate limiter's batch bucket from one worker's `/metrics` every `everyMs`
 * (the gauge is read from Redis at scrape time, so one worker shows what all of them share).
 */
export class LimiterRateSampler {
  readonly samples: RateSample[] = [];
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly metricsUrl: string,
    private readonly now: () => number,
    private readonly everyMs = 100,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** The last sample taken before `at`, if any. */
  before(at: number): RateSample | undefined {
    return this.samples.findLast((s) => s.at < at);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const at = this.now();
      try {
        const res = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
        const rate = batchBucketRate(await res.text());
        if (rate !== undefined) this.samples.push({ at, rate });
      } catch {
        // A missed scrape is a gap in the series, not a reason to stop.
      }
      await sleep(Math.max(0, at + this.everyMs - this.now()));
    }
  }
}
