import type { MerchantProfile } from "@riskq/synthetic";

/**
 * What the bench orchestrator and its client processes say to each other. The config travels in
 * one environment variable; the client answers with JSON lines on stdout and takes the start
 * signal on stdin, so that several clients measure the very same wall-clock window.
 */
export const CLIENT_CONFIG_ENV = "BENCH_CLIENT_CONFIG";

/** What every client needs, whichever way it calls. */
interface CommonClientSettings {
  url: string;
  appId: string;
  appPrivateKey: string;
  platformPublicKey: string;
  merchant: MerchantProfile;
  concurrency: number;
  warmupMs: number;
  measureMs: number;
  batchItems: number;
}

/** Raw alipay-sdk `curl()`, with the AES key and merchant token handed in (sdk-scorer.ts). */
export interface SdkClientSettings extends CommonClientSettings {
  mode: "sdk";
  /** Base64 AES key for the encrypted scoring calls. */
  aesKey: string;
  appAuthToken: string;
}

/**
 * riskq's own client, `createAlipayClient().scoreBatch()` (riskq-scorer.ts): token and AES keys come
 * from Redis under `prefix`, where the orchestrator onboarded the merchant once for all clients.
 */
export interface RiskqClientSettings extends CommonClientSettings {
  mode: "riskq";
  redisUrl: string;
  /** Hash-tagged key prefix shared by every client of the run, e.g. `{bench-1a2b3c4d}`. */
  prefix: string;
  /** Base64 of the 32-byte key that seals tokens and keys at rest. */
  secretKey: string;
}

/** A client's settings as the orchestrator plans them, before it hands out seeds. */
export type ClientSettings = SdkClientSettings | RiskqClientSettings;

export type ClientConfig = ClientSettings & {
  /** Seeds the synthetic traffic; differs per client so item ids never collide. */
  seed: number;
};

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
