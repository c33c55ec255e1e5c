import { Counter, Histogram, type Registry } from "prom-client";
import { boundedLabel } from "./bounded-label";

/** A remote call as `@riskq/alipay` reports it to `onCall` (its `AlipayCall`, structurally). */
export interface ObservedCall {
  operation: string;
  status: number | undefined;
  code: string;
  latencyMs: number;
  items?: number | undefined;
  billing?: { call_fee: string; item_fees: string; review_fees: string };
}

/** The remote's 429 codes (docs/alipay-ai-api.md §7) and the limiter bucket each one empties. */
const RATE_LIMIT_BUCKETS: Readonly<Record<string, string>> = {
  "app-call-limited": "app",
  "method-call-limited": "method",
};

/**
 * Metrics of the calls a process makes to Alipay: counts by outcome, latency, 429s per bucket, batch
 * sizes and what was billed. Returns the observer to hand to `createAlipayClient({ onCall })`; it
 * does a few in-memory increments per call, nothing that can block or throw on bad input.
 */
export function alipayCallMetrics(registry: Registry): (call: ObservedCall) => void {
  const calls = new Counter({
    name: "riskq_alipay_calls_total",
    help: "Calls to Alipay by operation, HTTP status (none: no answer) and code (ok, the remote's error code, or riskq's)",
    labelNames: ["operation", "status", "code"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "riskq_alipay_call_duration_seconds",
    help: "Time of a call to Alipay, from signing to the verified answer or the error",
    labelNames: ["operation"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: "riskq_alipay_rate_limited_total",
    help: "429s from Alipay by the bucket that was empty (app: every method, method: batch/predict)",
    labelNames: ["bucket"],
    registers: [registry],
  });
  const batchItems = new Histogram({
    name: "riskq_alipay_batch_items",
    help: "Items sent per batch predict call",
    buckets: [1, 2, 5, 10, 20, 50, 100],
    registers: [registry],
  });
  const billed = new Counter({
    name: "riskq_alipay_billed_usd_total",
    help: "USD Alipay billed for answered batch predict calls, by fee (call, item, review)",
    labelNames: ["fee"],
    registers: [registry],
  });
  for (const bucket of Object.values(RATE_LIMIT_BUCKETS)) rateLimited.inc({ bucket }, 0);
  for (const fee of ["call", "item", "review"]) billed.inc({ fee }, 0);

  const operationOf = boundedLabel(20);
  const codeOf = boundedLabel(50);
  return (call) => {
    const operation = operationOf(call.operation);
    calls.inc({
      operation,
      status: call.status === undefined ? "none" : String(call.status),
      code: codeOf(call.code),
    });
    duration.observe({ operation }, call.latencyMs / 1_000);
    const bucket = RATE_LIMIT_BUCKETS[call.code];
    if (bucket) rateLimited.inc({ bucket });
    if (call.items !== undefined) batchItems.observe(call.items);
    if (call.billing) {
      billed.inc({ fee: "call" }, feeOf(call.billing.call_fee));
      billed.inc({ fee: "item" }, feeOf(call.billing.item_fees));
      billed.inc({ fee: "review" }, feeOf(call.billing.review_fees));
    }
  };
}

/** A fee string ("0.0120"); anything unreadable counts as nothing rather than poisoning the counter. */
function feeOf(raw: string): number {
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : 0;
}
