import type { MerchantProfile } from "@riskq/synthetic";

/**
 * What the bench orchestrator and its client processes say to each other. The config travels in
 * one environment variable; the client answers with JSON lines on stdout and takes the start
 * signal on stdin, so that several clients measure the very same wall-clock window.
 */
export const CLIENT_CONFIG_ENV = "BENCH_CLIENT_CONFIG";

export interface ClientConfig {
  url: string;
  appId: string;
  appPrivateKey: string;
  platformPublicKey: string;
  /** Base64 AES key for the encrypted scoring calls. */
  aesKey: string;
  appAuthToken: string;
  merchant: MerchantProfile;
  /** Seeds the synthetic traffic; differs per client so item ids never collide. */
  seed: number;
  concurrency: number;
  warmupMs: number;
  measureMs: number;
  batchItems: number;
}

/** Printed once the SDK and the traffic pool are ready. */
export interface ClientReady {
  event: "ready";
}

/** Sent on stdin: start calling at this epoch ms (warm-up first, then the measured window). */
export interface ClientStart {
  start_at: number;
}

/** Printed when the measured window is over. Latencies are of calls completed inside the window. */
export interface ClientResult {
  event: "result";
  calls: number;
  errors: number;
  seconds: number;
  calls_per_s: number;
  p50_ms: number;
  p99_ms: number;
  /** This client's CPU time over the window, as a share of one core (100 = one core busy). */
  cpu_pct: number;
  first_error?: string;
  /** Raw latencies (0.1 ms steps), so the orchestrator can merge several clients' percentiles. */
  latencies_ms: number[];
}

/** Nearest-rank percentile of ascending-sorted values; 0 when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}
