import { Counter, Gauge, type Registry } from "prom-client";
import { boundedLabel } from "./bounded-label";
import { collectErrors } from "./registry";
import { sharedRead } from "./shared-read";

/** Circuit breaker states, each a series of `riskq_circuit_breaker_state{state}`. */
export const BREAKER_STATES = ["closed", "half-open", "open"] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

/** One call-rate limiter bucket as `CallRateLimiter.snapshot()` reports it (structurally). */
export interface LimiterBucket {
  rate: number;
  ceiling: number | undefined;
}

export interface WorkerMetricsOptions {
  /** The process's circuit breaker state, read at scrape time. */
  breakerState: () => BreakerState;
  /** The shared limiter's buckets, read from Redis at scrape time. */
  limiterBuckets: () => Promise<Record<string, LimiterBucket>>;
  /** Job sources always exported (at 0), e.g. `JOB_SOURCES`. */
  sources?: readonly string[];
  /** Dead-letter reasons always exported (at 0), e.g. `DEAD_LETTER_REASONS`. */
  deadLetterReasons?: readonly string[];
}

export interface WorkerMetrics {
  /** A `score` job completed; `source` is its result's (remote, prefilter, expired). */
  jobCompleted(source: string | undefined): void;
  /** This process wrote a dead letter with this reason. */
  deadLetterRecorded(reason: string): void;
}

/**
 * A scoring worker's own metrics: jobs it completed by source, dead letters it wrote by reason, its
 * circuit breaker, and the shared call-rate limiter (the same numbers from every worker).
 */
export function workerMetrics(registry: Registry, options: WorkerMetricsOptions): WorkerMetrics {
  const errors = collectErrors(registry);
  const completed = new Counter({
    name: "riskq_jobs_completed_total",
    help: "Score jobs this worker completed, by result source (remote, prefilter, expired)",
    labelNames: ["source"],
    registers: [registry],
  });
  const recorded = new Counter({
    name: "riskq_dead_letters_recorded_total",
    help: "Dead letters this worker wrote, by reason",
    labelNames: ["reason"],
    registers: [registry],
  });
  // One series per state, 1 for the current one: rules and panels select a state by name
  // (`{state="open"}`) instead of knowing a numeric code, and `sum` over workers counts them.
  new Gauge({
    name: "riskq_circuit_breaker_state",
    help: "This worker's circuit breaker towards Alipay: 1 for the state it is in (closed, half-open, open), 0 for the others",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const current = options.breakerState();
      for (const state of BREAKER_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  const readLimiter = sharedRead(options.limiterBuckets);
  // Both limiter gauges read the same snapshot (one Redis read per scrape), each failing alone.
  const limiterGauge = (name: string, help: string, value: (bucket: LimiterBucket) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ["bucket"],
      registers: [registry],
      async collect() {
        this.reset();
        let buckets: Record<string, LimiterBucket>;
        try {
          buckets = await readLimiter();
        } catch {
          errors.inc({ collector: name });
          return;
        }
        for (const [bucket, state] of Object.entries(buckets)) {
          const v = value(state);
          if (v !== undefined) this.set({ bucket }, v);
        }
      },
    });
  limiterGauge(
    "riskq_limiter_rate_per_second",
    "Calls/s the shared call-rate limiter allows now, by bucket (the same in every worker)",
    (b) => b.rate,
  );
  limiterGauge(
    "riskq_limiter_ceiling_per_second",
    "Calls/s at which the bucket's 429s began (learned; absent until the first 429)",
    (b) => b.ceiling,
  );
  for (const source of options.sources ?? []) completed.inc({ source }, 0);
  for (const reason of options.deadLetterReasons ?? []) recorded.inc({ reason }, 0);

  const sourceOf = boundedLabel(10);
  const reasonOf = boundedLabel(30);
  return {
    jobCompleted: (source) => completed.inc({ source: sourceOf(source) }),
    deadLetterRecorded: (reason) => recorded.inc({ reason: reasonOf(reason) }),
  };
}
