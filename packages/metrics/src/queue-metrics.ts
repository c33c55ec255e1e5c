import { Gauge, type Registry } from "prom-client";
import { collectErrors } from "./registry";

/** A BullMQ queue, as far as counting its jobs goes. */
export interface CountableQueue {
  readonly name: string;
  getJobCounts(): Promise<Record<string, number>>;
}

export interface QueueMetricsOptions {
  /** The queues to count by state at each scrape (riskq: score, score-dead, maintenance). */
  queues: readonly CountableQueue[];
  /** Dead letters by reason right now, read at each scrape (bounded cost: see `@riskq/pipeline`). */
  deadLettersByReason: () => Promise<Record<string, number>>;
  /** Reasons always exported, at 0 when none is dead for them (so alerts need no `absent()`). */
  deadLetterReasons?: readonly string[];
}

/**
 * The queue picture, computed from Redis at scrape time (one cheap read per queue): jobs by queue
 * and state, and dead letters by reason. One process exporting it is enough (riskq: the API).
 */
export function queueMetrics(registry: Registry, options: QueueMetricsOptions): void {
  const errors = collectErrors(registry);
  new Gauge({
    name: "riskq_queue_jobs",
    help: "Jobs in a queue by state (waiting, active, delayed, prioritized, completed, failed, …), read at scrape time",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        options.queues.map(async (queue) => {
          try {
            const counts = await queue.getJobCounts();
            for (const [state, count] of Object.entries(counts))
              this.set({ queue: queue.name, state }, count);
          } catch {
            errors.inc({ collector: `queue:${queue.name}` });
          }
        }),
      );
    },
  });
  new Gauge({
    name: "riskq_dead_letters",
    help: "Dead letters kept right now, by reason, read at scrape time",
    labelNames: ["reason"],
    registers: [registry],
    async collect() {
      this.reset();
      let counts: Record<string, number>;
      try {
        counts = await options.deadLettersByReason();
      } catch {
        errors.inc({ collector: "dead-letters" });
        return;
      }
      for (const reason of options.deadLetterReasons ?? []) this.set({ reason }, 0);
      for (const [reason, count] of Object.entries(counts)) this.set({ reason }, count);
    },
  });
}
