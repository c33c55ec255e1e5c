import { DEAD_LETTER_REASONS, DEGRADED_REASONS, JOB_SOURCES, type ScoreJobResult } from "@riskq/contracts";
import {
  alipayCallMetrics,
  type BudgetReading,
  batchCapGauge,
  budgetMetrics,
  createMetricsRegistry,
  decisionMetrics,
  type Registry,
  workerMetrics,
} from "@riskq/metrics";
import type {
  CallRateLimiter,
  CircuitBreaker,
  DeadLetterHooks,
  ScoreJobDataWithHistory,
} from "@riskq/pipeline";
import type { Worker } from "bullmq";

export interface WorkerMetricsSetup {
  breaker: CircuitBreaker;
  limiter: CallRateLimiter;
  /** Node's process metrics too (default true). */
  defaultMetrics?: boolean;
}

/**
 * A worker process's metrics (docs/metrics.md, "Metrics"): its Alipay calls (hand `onAlipayCall` to the
 * client), jobs it completed by source, dead letters it wrote by reason, its circuit breaker and the
 * shared call-rate limiter. The queue picture is the API's to export.
 */
export function createWorkerMetrics(options: WorkerMetricsSetup) {
  const registry: Registry = createMetricsRegistry({ defaultMetrics: options.defaultMetrics ?? true });
  const onAlipayCall = alipayCallMetrics(registry);
  const own = workerMetrics(registry, {
    breakerState: () => options.breaker.state,
    limiterBuckets: () => options.limiter.snapshot(),
    sources: JOB_SOURCES,
    deadLetterReasons: DEAD_LETTER_REASONS,
  });
  const decisions = decisionMetrics(registry, { sources: JOB_SOURCES, reasons: DEGRADED_REASONS });
  return {
    registry,
    onAlipayCall,
    /**
     * `hooks` plus the count of each dead letter this process writes, taken once the hooks before
     * it (the alert) succeeded, just before the letter is written: a crash right there can count a
     * letter twice (the reconciler writes it later, and counts it again).
     */
    countDeadLetters(hooks: DeadLetterHooks = {}): DeadLetterHooks {
      return {
        onDeadLetter: async (letter) => {
          await hooks.onDeadLetter?.(letter);
          own.deadLetterRecorded(letter.reason);
        },
      };
    },
    /** Gauges of the global budgets, read at scrape time (e.g. the budget guard's `status`). */
    watchBudgets(read: () => Promise<BudgetReading[]>): void {
      budgetMetrics(registry, read);
    },
    /** Counts the jobs `worker` completes, by their result's source, degraded reason and latency. */
    watchWorker(worker: Worker<ScoreJobDataWithHistory, ScoreJobResult>): void {
      worker.on("completed", (job) => {
        own.jobCompleted(job.returnvalue?.source);
        if (job.returnvalue) decisions.decided(job.returnvalue);
      });
    },
    /** The worker's batch cap, read at scrape time. */
    watchBatchCap(read: () => number): void {
      batchCapGauge(registry, read);
    },
  };
}
