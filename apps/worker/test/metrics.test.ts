import { join } from "node:path";
import { parseExposition, type Sample, sampleValue, startMetricsServer } from "@riskq/metrics";
import { createCallRateLimiter, createCircuitBreaker, DeadLetterStore } from "@riskq/pipeline";
import { startAppProcess } from "@riskq/testing";
import { describe, expect, it } from "vitest";
import { createWorkerMetrics } from "../src/metrics/worker-metrics";
import { eventually, trafficOf, useWorkerKit } from "./support/worker-harness";

const suite = useWorkerKit();
const DEFAULT_LIMITS = { app_qps: 20, app_burst: 20, batch_qps: 10, batch_burst: 10 };

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

describe("worker metrics", () => {
  it("count every call, 429, batch, dollar and completed job as the sandbox's ledger does", async () => {
    const { kit, sandbox } = suite;
    const breaker = createCircuitBreaker({ openMs: 1_000, maxOpenMs: 2_000 });
    const limiter = createCallRateLimiter({ redis: kit.connection, prefix: kit.prefix, initialRate: 8 });
    const metrics = createWorkerMetrics({ breaker, limiter, defaultMetrics: false });
    // The worker's client reports to the metrics; every call the sandbox sees goes through it.
    const alipay = kit.alipayWith({
      onCall: metrics.onAlipayCall,
    });
    const { merchantIds, requests } = trafficOf(909, 2, 41);
    for (const merchantId of merchantIds) {
      const { auth_code } = await sandbox.control.createMerchant(merchantId);
      await alipay.onboardMerchant(merchantId, auth_code);
    }
    // One call per second on batch/predict: the limiter's 8/s meets 429s at once.
    await sandbox.control.faults({ rate_limits: { ...DEFAULT_LIMITS, batch_qps: 1, batch_burst: 1 } });
    const scored = await kit.enqueue(requests.slice(0, 40));
    const expired = await kit.enqueue(requests.slice(40), { deadlineAt: Date.now() - 1 });
    await kit.scoreQueue.add("bad", { request: { item_id: "no-merchant" } } as never, {
      jobId: "bad-payload",
    });
    const deadLetters = new DeadLetterStore(
      kit.scoreQueue,
      kit.deadQueue,
      undefined,
      undefined,
      metrics.countDeadLetters(),
    );
    await kit.startWorker({
      alipay,
      breaker,
      limiter,
      deadLetters,
      onDeadline: "expire",
      batchCap: 5,
      lingerMs: 10,
      observe: metrics.watchWorker,
    });
    const server = await startMetricsServer({ registry: metrics.registry, host: "127.0.0.1", port: 0 });
    try {
      await eventually("a 429", async () => {
        const samples = await scrape(server.url);
        return (
          (sampleValue(samples, "riskq_alipay_rate_limited_total", { bucket: "method" }) ?? 0) > 0 ||
          undefined
        );
      });
      await sandbox.control.faults({ rate_limits: DEFAULT_LIMITS });
      const { completed, failed } = await kit.settle(scored.length + expired.length + 1);
      expect(completed).toHaveLength(41);
      expect(failed.map((j) => j.id)).toEqual(["bad-payload"]);

      const samples = await scrape(server.url);
      const value = (name: string, labels: Record<string, string> = {}) =>
        sampleValue(samples, name, labels) ?? 0;
      const ledger = await sandbox.control.ledger();
      // Every call the sandbox answered, counted once, by status and by the remote's code.
      expect(value("riskq_alipay_calls_total")).toBe(ledger.calls);
      for (const [status, count] of Object.entries(ledger.by_status)) {
        expect(value("riskq_alipay_calls_total", { status }), `status ${status}`).toBe(count);
      }
      expect(value("riskq_alipay_calls_total", { operation: "token exchange", code: "ok" })).toBe(2);
      const throttled = value("riskq_alipay_calls_total", { code: "method-call-limited", status: "429" });
      expect(throttled).toBe(ledger.by_code["method-call-limited"]);
      expect(value("riskq_alipay_rate_limited_total", { bucket: "method" })).toBe(throttled);
      expect(value("riskq_alipay_rate_limited_total", { bucket: "app" })).toBe(0);
      // One latency observation and one batch size per call; 40 items answered in batches of at most 5.
      expect(value("riskq_alipay_call_duration_seconds_count")).toBe(ledger.calls);
      const batchCalls = value("riskq_alipay_calls_total", { operation: "batch predict" });
      expect(value("riskq_alipay_batch_items_count")).toBe(batchCalls);
      const answered = value("riskq_alipay_calls_total", { operation: "batch predict", code: "ok" });
      expect(answered).toBeGreaterThanOrEqual(8);
      expect(value("riskq_alipay_batch_items_bucket", { le: "5" })).toBe(batchCalls);
      // Refused batches were sent too: at least the 40 items, at most 5 a call.
      expect(value("riskq_alipay_batch_items_sum")).toBeGreaterThanOrEqual(40);
      expect(value("riskq_alipay_batch_items_sum")).toBeLessThanOrEqual(5 * batchCalls);
      // What was billed, to the cent of a cent: the ledger's total.
      expect(value("riskq_alipay_billed_usd_total")).toBeCloseTo(ledger.cost_usd, 6);
      expect(value("riskq_alipay_billed_usd_total", { fee: "item" })).toBeGreaterThan(0);
      // Jobs by how they completed, and the one dead letter, by reason.
      expect(value("riskq_jobs_completed_total", { source: "remote" })).toBe(40);
      expect(value("riskq_jobs_completed_total", { source: "expired" })).toBe(1);
      expect(value("riskq_jobs_completed_total", { source: "prefilter" })).toBe(0);
      expect(value("riskq_dead_letters_recorded_total", { reason: "invalid_payload" })).toBe(1);
      expect(value("riskq_dead_letters_recorded_total")).toBe(1);
      // The breaker stayed closed (429s are no outage); the limiter learned where 429s began.
      expect(sampleValue(samples, "riskq_circuit_breaker_state", { state: "closed" })).toBe(1);
      expect(sampleValue(samples, "riskq_circuit_breaker_state", { state: "open" })).toBe(0);
      expect(value("riskq_limiter_rate_per_second", { bucket: "method" })).toBeGreaterThan(0);
      expect(value("riskq_limiter_ceiling_per_second", { bucket: "method" })).toBeGreaterThan(0);
      expect(sampleValue(samples, "riskq_limiter_ceiling_per_second", { bucket: "app" })).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it("a worker process serves /metrics on the port it names in its ready line", async () => {
    const { kit, sandbox, redis } = suite;
    const worker = await startAppProcess({
      name: "worker",
      script: "apps/worker/src/main.ts",
      readyEvent: "worker-ready",
      env: {
        ...(process.env as Record<string, string>),
        NODE_ENV: "test",
        LOG_LEVEL: "warn",
        REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
        RISKQ_PREFIX: redis.prefix,
        RISKQ_SECRET_KEY: kit.secretKey.toString("base64"),
        ALIPAY_ENDPOINT: sandbox.url,
        ALIPAY_APP_ID: sandbox.appId,
        ALIPAY_APP_PRIVATE_KEY_FILE: join(sandbox.keysDir, "app-private.pem"),
        ALIPAY_PLATFORM_PUBLIC_KEY_FILE: join(sandbox.keysDir, "platform-public.pem"),
        WORKER_KEY_PROBE_CRON: "off",
        WORKER_METRICS_PORT: "0",
        METRICS_HOST: "127.0.0.1",
      },
    });
    try {
      const url = String(worker.ready.metrics);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const samples = await scrape(url);
      expect(sampleValue(samples, "riskq_circuit_breaker_state", { state: "closed" })).toBe(1);
      expect(sampleValue(samples, "riskq_circuit_breaker_state", { state: "open" })).toBe(0);
      expect(sampleValue(samples, "riskq_jobs_completed_total", { source: "remote" })).toBe(0);
      expect(sampleValue(samples, "riskq_alipay_rate_limited_total", { bucket: "app" })).toBe(0);
      // Node's own process metrics come along.
      expect(sampleValue(samples, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
      expect((await fetch(url.replace("/metrics", "/"))).status).toBe(404);
    } finally {
      await worker.stop();
    }
  });
});
