import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { register as globalRegistry } from "prom-client";
import { describe, expect, it } from "vitest";
import {
  alipayCallMetrics,
  batchCapGauge,
  boundedLabel,
  createMetricsRegistry,
  credentialMetrics,
  decisionMetrics,
  parseExposition,
  queueMetrics,
  type Registry,
  sampleValue,
  serveMetrics,
  startMetricsServer,
  workerMetrics,
} from "../src/index";

/** The metrics table lives in docs/metrics.md ("Metrics"). */
const METRICS_DOC = new URL("../../../docs/metrics.md", import.meta.url);
const NOW = Date.UTC(2026, 10, 26, 8, 0);

/** A registry with every riskq metric group, fed with plain values (the apps' tests use real Redis). */
function everything(registry: Registry, failing = false) {
  const fail = () => Promise.reject(new Error("Redis is away"));
  queueMetrics(registry, {
    queues: [{ name: "score", getJobCounts: failing ? fail : async () => ({ waiting: 3, active: 1 }) }],
    deadLettersByReason: failing ? fail : async () => ({ timeout: 2 }),
    deadLetterReasons: ["timeout", "silent_drop"],
  });
  const worker = workerMetrics(registry, {
    breakerState: () => "open",
    limiterBuckets: failing
      ? fail
      : async () => ({ app: { rate: 12.5, ceiling: undefined }, method: { rate: 4, ceiling: 5 } }),
    sources: ["remote", "expired"],
  });
  credentialMetrics(registry, {
    now: () => NOW,
    source: {
      listMerchants: failing ? fail : async () => ["2088000000000001"],
      tokenExpiry: async () => NOW + 600_000,
      knownKeys: failing
        ? fail
        : async () => [
            { notBefore: NOW - 3_600_000, expiresAt: NOW + 60_000 },
            { notBefore: NOW + 60_000, expiresAt: NOW + 86_460_000 },
          ],
    },
  });
  const onCall = alipayCallMetrics(registry);
  const decisions = decisionMetrics(registry, { sources: ["remote", "prefilter"], reasons: ["deadline"] });
  batchCapGauge(registry, () => 50);
  return { worker, onCall, decisions };
}

/** `name → type` of every riskq metric in a text exposition. */
function typesIn(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (riskq_\w+) (\w+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

describe("riskq metric definitions", () => {
  it("export exactly the metrics docs/metrics.md lists, with the documented types", async () => {
    const registry = createMetricsRegistry();
    everything(registry);
    const exported = typesIn(await registry.metrics());
    const documented = new Map(
      [...readFileSync(METRICS_DOC, "utf8").matchAll(/^\| `(riskq_\w+)` \| (\w+) \|/gm)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    expect(documented.size).toBeGreaterThanOrEqual(16);
    expect(Object.fromEntries(exported)).toEqual(Object.fromEntries(documented));
  });

  it("count decisions by source and degraded reason, and time them", async () => {
    const registry = createMetricsRegistry();
    const { decisions } = everything(registry);
    decisions.decided({ source: "remote", decided_in_ms: 400 });
    decisions.decided({ source: "prefilter", degraded_reason: "deadline", decided_in_ms: 1_950 });
    const samples = parseExposition(await registry.metrics());
    expect(sampleValue(samples, "riskq_decisions_total", { source: "remote", reason: "none" })).toBe(1);
    expect(sampleValue(samples, "riskq_decisions_total", { source: "prefilter", reason: "deadline" })).toBe(
      1,
    );
    expect(sampleValue(samples, "riskq_decisions_total", { source: "prefilter", reason: "none" })).toBe(0);
    expect(
      sampleValue(samples, "riskq_decision_latency_seconds_bucket", { source: "prefilter", le: "2" }),
    ).toBe(1);
    expect(
      sampleValue(samples, "riskq_decision_latency_seconds_bucket", { source: "prefilter", le: "1.75" }),
    ).toBe(0);
    expect(sampleValue(samples, "riskq_batch_cap", {})).toBe(50);
  });

  it("read the state at scrape time: queues, dead letters, breaker, limiter, tokens and keys", async () => {
    const registry = createMetricsRegistry();
    everything(registry);
    const samples = parseExposition(await registry.metrics());
    expect(sampleValue(samples, "riskq_queue_jobs", { queue: "score", state: "waiting" })).toBe(3);
    expect(sampleValue(samples, "riskq_dead_letters", { reason: "timeout" })).toBe(2);
    expect(sampleValue(samples, "riskq_dead_letters", { reason: "silent_drop" })).toBe(0);
    expect(sampleValue(samples, "riskq_circuit_breaker_state", { state: "open" })).toBe(1);
    expect(sampleValue(samples, "riskq_circuit_breaker_state", { state: "closed" })).toBe(0);
    expect(sampleValue(samples, "riskq_circuit_breaker_state", { state: "half-open" })).toBe(0);
    expect(sampleValue(samples, "riskq_limiter_rate_per_second", { bucket: "app" })).toBe(12.5);
    expect(sampleValue(samples, "riskq_limiter_ceiling_per_second", { bucket: "method" })).toBe(5);
    expect(sampleValue(samples, "riskq_limiter_ceiling_per_second", { bucket: "app" })).toBeUndefined();
    expect(
      sampleValue(samples, "riskq_merchant_token_expiry_timestamp_seconds", {
        merchant: "2088000000000001",
      }),
    ).toBe(NOW / 1_000 + 600);
    expect(sampleValue(samples, "riskq_aes_key_expiry_timestamp_seconds")).toBe(NOW / 1_000 + 60);
    expect(sampleValue(samples, "riskq_aes_key_coverage_timestamp_seconds")).toBe(NOW / 1_000 + 86_460);
    expect(sampleValue(samples, "riskq_jobs_completed_total", { source: "expired" })).toBe(0);
  });

  it("count a call by operation, status and code, its 429 bucket, batch size and bill", async () => {
    const registry = createMetricsRegistry();
    const { onCall } = everything(registry);
    const billing = { call_fee: "0.0100", item_fees: "0.0030", review_fees: "0.0040" };
    onCall({ operation: "batch predict", status: 200, code: "ok", latencyMs: 120, items: 3, billing });
    onCall({ operation: "batch predict", status: 429, code: "method-call-limited", latencyMs: 8, items: 3 });
    onCall({ operation: "key query", status: undefined, code: "timeout", latencyMs: 5_000 });
    const samples = parseExposition(await registry.metrics());
    const calls = (labels: Record<string, string>) =>
      sampleValue(samples, "riskq_alipay_calls_total", labels);
    expect(calls({ operation: "batch predict", status: "200", code: "ok" })).toBe(1);
    expect(calls({ status: "429", code: "method-call-limited" })).toBe(1);
    expect(calls({ operation: "key query", status: "none", code: "timeout" })).toBe(1);
    expect(sampleValue(samples, "riskq_alipay_rate_limited_total", { bucket: "method" })).toBe(1);
    expect(sampleValue(samples, "riskq_alipay_rate_limited_total", { bucket: "app" })).toBe(0);
    expect(sampleValue(samples, "riskq_alipay_batch_items_count")).toBe(2);
    expect(sampleValue(samples, "riskq_alipay_batch_items_sum")).toBe(6);
    expect(
      sampleValue(samples, "riskq_alipay_call_duration_seconds_bucket", {
        operation: "key query",
        le: "2.5",
      }),
    ).toBe(0);
    expect(sampleValue(samples, "riskq_alipay_call_duration_seconds_sum", { operation: "key query" })).toBe(
      5,
    );
    expect(sampleValue(samples, "riskq_alipay_billed_usd_total")).toBeCloseTo(0.017, 10);
    expect(sampleValue(samples, "riskq_alipay_billed_usd_total", { fee: "review" })).toBeCloseTo(0.004, 10);
  });

  it("a failed read empties its gauges for that scrape and is counted; the scrape still answers", async () => {
    const registry = createMetricsRegistry();
    everything(registry, true);
    // Collectors run side by side: a failure shows in the error counter from the next scrape on.
    await registry.metrics();
    const samples = parseExposition(await registry.metrics());
    expect(sampleValue(samples, "riskq_queue_jobs")).toBeUndefined();
    expect(sampleValue(samples, "riskq_dead_letters")).toBeUndefined();
    expect(sampleValue(samples, "riskq_merchant_token_expiry_timestamp_seconds")).toBeUndefined();
    expect(sampleValue(samples, "riskq_circuit_breaker_state", { state: "open" })).toBe(1);
    const errors = (collector: string) =>
      sampleValue(samples, "riskq_metrics_collect_errors_total", { collector });
    expect(errors("queue:score")).toBe(1);
    expect(errors("dead-letters")).toBe(1);
    expect(errors("merchant-tokens")).toBe(1);
    expect(errors("riskq_limiter_rate_per_second")).toBe(1);
    expect(errors("riskq_aes_key_coverage_timestamp_seconds")).toBe(1);
  });

  it("each registry is its own: two in one process never share a value, the global one stays empty", async () => {
    const a = createMetricsRegistry();
    const b = createMetricsRegistry();
    everything(a).worker.jobCompleted("remote");
    everything(b);
    expect(
      sampleValue(parseExposition(await a.metrics()), "riskq_jobs_completed_total", { source: "remote" }),
    ).toBe(1);
    expect(
      sampleValue(parseExposition(await b.metrics()), "riskq_jobs_completed_total", { source: "remote" }),
    ).toBe(0);
    expect(await globalRegistry.metrics()).not.toContain("riskq_");
  });

  it("keeps label values bounded whatever the remote sends", () => {
    const label = boundedLabel(3);
    expect(label(undefined)).toBe("none");
    expect(label("app-call-limited")).toBe("app-call-limited");
    expect(label('bad"code{}')).toBe("other");
    expect(label("x".repeat(65))).toBe("other");
    expect(label("b")).toBe("b");
    expect(label("c")).toBe("c");
    expect(label("d")).toBe("other");
    expect(label("b")).toBe("b");
  });
});

describe("the /metrics server", () => {
  it("answers GET /metrics with the exposition and anything else with 404", async () => {
    const registry = createMetricsRegistry({ defaultMetrics: true });
    everything(registry);
    const server = await startMetricsServer({ registry, host: "127.0.0.1", port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe(registry.contentType);
      const samples = parseExposition(await res.text());
      expect(sampleValue(samples, "riskq_queue_jobs", { state: "active" })).toBe(1);
      expect(sampleValue(samples, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
      expect((await fetch(server.url.replace("/metrics", "/other"))).status).toBe(404);
      expect((await fetch(server.url, { method: "POST" })).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it("serveMetrics serves none when off, and logs and carries on when the port is taken", async () => {
    const registry = createMetricsRegistry();
    const logged: Array<{ details: object; message: string }> = [];
    const logger = { error: (details: object, message: string) => void logged.push({ details, message }) };
    expect(await serveMetrics(registry, { host: "127.0.0.1", port: "off", logger })).toBeUndefined();
    expect(logged).toEqual([]);

    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    const { port } = squatter.address() as AddressInfo;
    try {
      expect(await serveMetrics(registry, { host: "127.0.0.1", port, logger })).toBeUndefined();
      expect(logged).toHaveLength(1);
      expect(logged[0]!.message).toMatch(/cannot serve \/metrics/);
      expect(logged[0]!.details).toMatchObject({ port, err: { code: "EADDRINUSE" } });
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
