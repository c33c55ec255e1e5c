import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { boundedLabel } from "./bounded-label";

/** What a decision metric reads of a completed job's result (structurally a `ScoreJobResult`). */
export interface DecisionReading {
  source: string;
  degraded_reason?: string | undefined;
  decided_in_ms?: number | undefined;
}

export interface DecisionMetricsOptions {
  /** Sources always exported (at 0), e.g. `JOB_SOURCES`. */
  sources?: readonly string[];
  /** Degraded reasons always exported (at 0) for the degraded sources, e.g. `DEGRADED_REASONS`. */
  reasons?: readonly string[];
}

/**
 * How jobs were decided and how fast: decisions by source and degraded reason (`none` for a decision
 * that met its request: remote, or the pre-filter deciding a clear case), and the enqueue→decision
 * latency, whose buckets bracket the 2-s payment budget finely.
 */
export function decisionMetrics(registry: Registry, options: DecisionMetricsOptions = {}) {
  const decisions = new Counter({
    name: "riskq_decisions_total",
    help: "Score jobs decided, by source (remote, prefilter, policy, expired) and degraded reason (none when not degraded)",
    labelNames: ["source", "reason"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "riskq_decision_latency_seconds",
    help: "Enqueue to decision of score jobs, by source",
    labelNames: ["source"],
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.1, 2.5, 3, 5, 10, 30, 60],
    registers: [registry],
  });
  for (const source of options.sources ?? []) {
    decisions.inc({ source, reason: "none" }, 0);
    for (const reason of options.reasons ?? []) decisions.inc({ source, reason }, 0);
  }
  const sourceOf = boundedLabel(10);
  const reasonOf = boundedLabel(10);
  return {
    decided(result: DecisionReading): void {
      const source = sourceOf(result.source);
      decisions.inc({ source, reason: reasonOf(result.degraded_reason ?? "none") });
      if (result.decided_in_ms !== undefined) latency.observe({ source }, result.decided_in_ms / 1000);
    },
  };
}

/** The batch cap a worker uses now (lowered by truncations, probed back up). */
export function batchCapGauge(registry: Registry, read: () => number): void {
  new Gauge({
    name: "riskq_batch_cap",
    help: "Items per Alipay call this worker sends at most now (100 documented; 50 on a young account)",
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
