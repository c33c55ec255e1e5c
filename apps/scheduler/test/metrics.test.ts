import { parseExposition, sampleValue } from "@riskq/metrics";
import { startAppProcess } from "@riskq/testing";
import { describe, expect, it } from "vitest";
import { createSchedulerMetrics } from "../src/scheduler-metrics";
import { schedulerProcessEnv, useSchedulerKit } from "./support/scheduler-harness";

const suite = useSchedulerKit();
const MINUTE = 60_000;
const MERCHANTS = ["2088000000000101", "2088000000000102"];

describe("scheduler metrics", () => {
  it("show when each merchant token and the AES keys expire, on the client's clock", async () => {
    const { kit } = suite;
    const metrics = createSchedulerMetrics({ defaultMetrics: false });
    const alipay = kit.client({ onCall: metrics.onAlipayCall });
    metrics.watchCredentials(alipay, kit.now);
    await kit.onboard(alipay, MERCHANTS);
    const keys = await alipay.fetchKeys();
    const read = async () => parseExposition(await metrics.registry.metrics());

    const before = await read();
    const tokenAt = (samples: typeof before, merchant: string) =>
      sampleValue(samples, "riskq_merchant_token_expiry_timestamp_seconds", { merchant });
    for (const merchant of MERCHANTS) {
      expect(tokenAt(before, merchant)).toBe((await alipay.tokenExpiry(merchant))! / 1_000);
      expect(tokenAt(before, merchant)! * 1_000).toBeGreaterThan(kit.now());
    }
    const now = kit.now();
    const inForce = keys.filter((k) => k.notBefore <= now && now < k.expiresAt);
    expect(inForce.length).toBeGreaterThan(0);
    expect(sampleValue(before, "riskq_aes_key_expiry_timestamp_seconds")).toBe(
      Math.max(...inForce.map((k) => k.expiresAt)) / 1_000,
    );
    expect(sampleValue(before, "riskq_aes_key_coverage_timestamp_seconds")).toBe(
      Math.max(...keys.map((k) => k.expiresAt)) / 1_000,
    );
    // The calls that got there were counted: two token grants and the key query.
    expect(sampleValue(before, "riskq_alipay_calls_total", { operation: "token exchange", code: "ok" })).toBe(
      2,
    );
    expect(sampleValue(before, "riskq_alipay_calls_total", { operation: "key query", code: "ok" })).toBe(1);

    // Five virtual minutes later the instants have not moved: nothing was refreshed.
    await kit.advance(5 * MINUTE);
    const after = await read();
    for (const merchant of MERCHANTS) expect(tokenAt(after, merchant)).toBe(tokenAt(before, merchant));
    expect(sampleValue(after, "riskq_aes_key_coverage_timestamp_seconds")).toBe(
      sampleValue(before, "riskq_aes_key_coverage_timestamp_seconds"),
    );
    expect(sampleValue(after, "riskq_metrics_collect_errors_total")).toBeUndefined();
  });

  it("a scheduler process serves them on the port it names in its ready line", async () => {
    const { kit, sandbox } = suite;
    await kit.onboard(kit.client(), MERCHANTS.slice(0, 1));
    const scheduler = await startAppProcess({
      name: "scheduler",
      script: "apps/scheduler/src/main.ts",
      env: schedulerProcessEnv(sandbox, kit),
      readyEvent: "scheduler-ready",
      startTimeoutMs: 40_000,
    });
    try {
      const url = String(scheduler.ready.metrics);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const samples = parseExposition(await (await fetch(url)).text());
      // The process's clock is the wall clock, the sandbox's too (no virtual time moved here).
      const expiresAt = sampleValue(samples, "riskq_merchant_token_expiry_timestamp_seconds", {
        merchant: MERCHANTS[0]!,
      })!;
      expect(expiresAt * 1_000).toBeGreaterThan(Date.now());
      expect(expiresAt).toBe((await kit.client().tokenExpiry(MERCHANTS[0]!))! / 1_000);
      expect(sampleValue(samples, "process_resident_memory_bytes")).toBeGreaterThan(0);
    } finally {
      await scheduler.stop();
    }
  });
});
