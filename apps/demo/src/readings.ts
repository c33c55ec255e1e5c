import { JOB_SOURCES } from "@riskq/contracts";
import { parseExposition, type Sample, sampleValue } from "@riskq/metrics";
import type { SandboxControl, SandboxLedger } from "@riskq/testing";

/** One look at the whole system, from the same signals an operator has. */
export interface Readings {
  at: number;
  /** `score` jobs by state, from the API's `GET /metrics` (riskq_queue_jobs). */
  queue: Record<string, number>;
  /** Dead letters kept now, by reason (riskq_dead_letters; only reasons with some). */
  dead: Record<string, number>;
  /** Jobs the workers completed, by source (riskq_jobs_completed_total, summed over workers). */
  completed: Record<(typeof JOB_SOURCES)[number], number>;
  /** batch/predict calls the workers made, and how many were answered 429. */
  batchCalls: number;
  rateLimited: number;
  /** Calls/s the shared limiter allows now (its tighter bucket); undefined before it has state. */
  limiterRate: number | undefined;
  /** USD billed, as riskq counted it from the answers (riskq_alipay_billed_usd_total). */
  billedUsd: number;
  /** The sandbox's own account of the calls (calls, 429s, cost, silent drops, truncations…). */
  ledger: SandboxLedger;
}

/** Jobs not finished yet (neither completed nor failed). */
export function unfinished(readings: Readings): number {
  const { queue } = readings;
  return (
    (queue.waiting ?? 0) +
    (queue.active ?? 0) +
    (queue.delayed ?? 0) +
    (queue.prioritized ?? 0) +
    (queue["waiting-children"] ?? 0)
  );
}

export function deadTotal(readings: Readings): number {
  return Object.values(readings.dead).reduce((sum, n) => sum + n, 0);
}

export interface ReadingSources {
  apiUrl: string;
  workerMetricsUrls: readonly string[];
  control: SandboxControl;
}

const SCRAPE_TIMEOUT_MS = 2_000;

/** Scrapes the API, every worker and the sandbox's ledger at once. */
export async function takeReadings(sources: ReadingSources): Promise<Readings> {
  const [api, ledger, ...workers] = await Promise.all([
    scrape(`${sources.apiUrl}/metrics`),
    sources.control.ledger(),
    ...sources.workerMetricsUrls.map(scrape),
  ]);
  const queue: Record<string, number> = {};
  for (const s of api) {
    if (s.name === "riskq_queue_jobs" && s.labels.queue === "score" && s.labels.state) {
      queue[s.labels.state] = s.value;
    }
  }
  const dead: Record<string, number> = {};
  for (const s of api) {
    if (s.name === "riskq_dead_letters" && s.labels.reason && s.value > 0) dead[s.labels.reason] = s.value;
  }
  const all = workers.flat();
  const sum = (name: string, labels: Record<string, string> = {}) =>
    workers.reduce((total, samples) => total + (sampleValue(samples, name, labels) ?? 0), 0);
  const completed = Object.fromEntries(
    JOB_SOURCES.map((source) => [source, sum("riskq_jobs_completed_total", { source })]),
  ) as Readings["completed"];
  const rates = all.filter((s) => s.name === "riskq_limiter_rate_per_second").map((s) => s.value);
  return {
    at: Date.now(),
    queue,
    dead,
    completed,
    batchCalls: sum("riskq_alipay_calls_total", { operation: "batch predict" }),
    rateLimited: sum("riskq_alipay_rate_limited_total"),
    limiterRate: rates.length > 0 ? Math.min(...rates) : undefined,
    billedUsd: sum("riskq_alipay_billed_usd_total"),
    ledger,
  };
}

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return parseExposition(await res.text());
}
