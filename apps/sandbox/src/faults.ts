import { z } from "zod";
import type { BucketLimit } from "./token-buckets";

export type LatencyProfile = "fast" | "realistic";

const latencySchema = z.union([
  z.strictObject({ profile: z.enum(["fast", "realistic"]) }),
  z
    .strictObject({ median_ms: z.number().min(0), p99_ms: z.number().min(0) })
    .refine((l) => l.p99_ms >= l.median_ms, "p99_ms must be ≥ median_ms"),
]);

const rate = z.number().min(0).max(1);

/** Body of POST /__sandbox/faults: any subset (docs/alipay-ai-api.md §10). */
export const faultsPatchSchema = z.strictObject({
  latency: latencySchema.optional(),
  error_rates: z.strictObject({ "500": rate.optional(), "503": rate.optional() }).optional(),
  rate_limits: z
    .strictObject({
      app_qps: z.number().positive().optional(),
      app_burst: z.number().int().positive().optional(),
      batch_qps: z.number().positive().optional(),
      batch_burst: z.number().int().positive().optional(),
    })
    .optional(),
});
export type FaultsPatch = z.infer<typeof faultsPatchSchema>;

export interface FaultState {
  latency: z.infer<typeof latencySchema>;
  error_rates: { "500": number; "503": number };
  rate_limits: { app_qps: number; app_burst: number; batch_qps: number; batch_burst: number };
}

export function defaultFaults(profile: LatencyProfile): FaultState {
  return {
    latency: { profile },
    error_rates: { "500": 0, "503": 0 },
    rate_limits: { app_qps: 20, app_burst: 20, batch_qps: 10, batch_burst: 10 },
  };
}

export function applyFaultsPatch(state: FaultState, patch: FaultsPatch): FaultState {
  return {
    latency: patch.latency ?? state.latency,
    error_rates: { ...state.error_rates, ...stripUndefined(patch.error_rates) },
    rate_limits: { ...state.rate_limits, ...stripUndefined(patch.rate_limits) },
  };
}

export const appLimit = (f: FaultState): BucketLimit => ({
  qps: f.rate_limits.app_qps,
  burst: f.rate_limits.app_burst,
});
export const batchLimit = (f: FaultState): BucketLimit => ({
  qps: f.rate_limits.batch_qps,
  burst: f.rate_limits.batch_burst,
});

// Realistic: log-normal with median 400 ms and p99 900 ms (docs/alipay-ai-api.md §8). z(0.99) = 2.326.
const REALISTIC = { median_ms: 400, p99_ms: 900 };
const Z99 = 2.3263;

/** Samples a response delay in ms; `uniform` and `normal` come from the sandbox's seeded generator. */
export function sampleLatencyMs(f: FaultState, uniform: () => number, normal: () => number): number {
  if ("profile" in f.latency && f.latency.profile === "fast") return uniform() * 2;
  const { median_ms, p99_ms } = "profile" in f.latency ? REALISTIC : f.latency;
  if (median_ms === 0) return 0;
  const sigma = Math.log(Math.max(p99_ms, median_ms) / median_ms) / Z99;
  return median_ms * Math.exp(sigma * normal());
}

/** Picks the injected fault for one call, if any (500 before 503). */
export function sampleFault(f: FaultState, uniform: () => number): 500 | 503 | undefined {
  const u = uniform();
  if (u < f.error_rates["500"]) return 500;
  if (u < f.error_rates["500"] + f.error_rates["503"]) return 503;
  return undefined;
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
