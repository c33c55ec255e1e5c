import { Counter, collectDefaultMetrics, Registry } from "prom-client";

export interface MetricsRegistryOptions {
  /** Also export Node's process metrics (CPU, memory, event-loop lag, GC), unprefixed as usual. */
  defaultMetrics?: boolean;
}

/**
 * A fresh prom-client registry for one process. Never the global default registry: tests build
 * several in one process, and each app exports only what it registered.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * `riskq_metrics_collect_errors_total{collector}`: scrape-time reads that failed (Redis away…). The
 * gauge they feed is left empty for that scrape rather than showing a stale value. prom-client runs
 * the collectors of a scrape side by side, so a failure shows in this counter from the next scrape.
 */
export function collectErrors(registry: Registry): Counter<"collector"> {
  const name = "riskq_metrics_collect_errors_total";
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<"collector">;
  return new Counter({
    name,
    help: "Scrape-time reads that failed; their gauges are empty for that scrape",
    labelNames: ["collector"],
    registers: [registry],
  });
}
