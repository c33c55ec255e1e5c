import {
  addLedgerRow,
  emptyBilled,
  emptyEstimated,
  type LedgerRow,
  readLedger,
  readRecordedTraffic,
} from "@riskq/cost";
import type { SandboxLedger } from "@riskq/testing";
import { describe, expect, it } from "vitest";
import { eventually, trafficOf, useWorkerKit } from "./support/worker-harness";

const suite = useWorkerKit();
const DEFAULT_LIMITS = { app_qps: 20, app_burst: 20, batch_qps: 10, batch_burst: 10 };

/** Every row of the ledger added up. */
function totals(rows: readonly LedgerRow[]) {
  const sum = { billed: emptyBilled(), estimated: emptyEstimated() };
  for (const row of rows) addLedgerRow(sum, row);
  return sum;
}

const units = (usd: number) => Math.round(usd * 10_000);

describe("the cost ledger against the sandbox's", () => {
  it("equals the sandbox's bill after silent drops, a truncation, 429s and 500s (which bill nothing)", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, requests } = trafficOf(808, 2, 260);
    await kit.onboard(...merchantIds);
    const ledgerOnce = (check: (l: SandboxLedger) => boolean) => async () => {
      const ledger = await sandbox.control.ledger();
      return check(ledger) ? ledger : undefined;
    };
    // One edge of the price list after the other, so that each surely happens.
    // 1. Tokens expired behind the worker's back: the first call of each merchant is a silent drop
    //    (the call fee only). The forced rotation, before the worker's first key fetch, keeps its AES
    //    key valid across the clock jump.
    await sandbox.control.rotateKeys();
    await sandbox.control.advanceClock(15 * 60_000 + 5_000);
    await kit.enqueue(requests.slice(0, 120));
    await kit.startWorker({
      batchCap: 100,
      concurrency: 200,
      lingerMs: 1_000,
      cost: { redis: kit.connection },
    });
    await kit.settle(120);
    // 2. A young account truncates a batch above 50 (the items cut off are still billed).
    await sandbox.control.setAccountCreatedAt(new Date().toISOString());
    await kit.enqueue(requests.slice(120, 240));
    await kit.settle(240);
    // 3. Every call fails with 500 for a while, and a method bucket of one call per 20 s answers any
    //    second call 429 (the bucket is checked before the fault); the jobs retry once it is over.
    await sandbox.control.faults({
      error_rates: { "500": 1 },
      rate_limits: { ...DEFAULT_LIMITS, batch_qps: 0.05, batch_burst: 1 },
    });
    await kit.enqueue(requests.slice(240));
    await eventually(
      "a 500 and a 429",
      ledgerOnce((l) => (l.by_status["500"] ?? 0) > 0 && (l.by_status["429"] ?? 0) > 0),
    );
    await sandbox.control.faults({ error_rates: { "500": 0 }, rate_limits: DEFAULT_LIMITS });

    const { completed, failed } = await kit.settle(260);
    expect(failed).toHaveLength(0);
    expect(completed).toHaveLength(260);
    const sandboxLedger = await sandbox.control.ledger();
    // Every edge happened: a silent drop and a truncation (the 429 and the 500 were waited for).
    expect(sandboxLedger.silent_drops).toBeGreaterThan(0);
    expect(sandboxLedger.truncations).toBeGreaterThan(0);

    const rows = await readLedger(kit.connection, kit.prefix);
    expect(new Set(rows.map((r) => r.merchantId))).toEqual(new Set(merchantIds));
    const { billed, estimated } = totals(rows);
    expect(billed.totalUnits).toBe(units(sandboxLedger.cost_usd));
    expect(billed.itemUnits).toBe(sandboxLedger.items);
    expect(billed.flagged).toBe(sandboxLedger.flagged);
    expect(billed.reviewUnits).toBe(40 * sandboxLedger.flagged);
    expect(billed.callUnits).toBe(100 * billed.calls);
    // Silent drops and truncations sent more items than were answered (all 260 in the end).
    expect(billed.items).toBeGreaterThan(billed.answered);
    expect(billed.answered).toBe(260);
    expect(estimated.calls).toBe(0);

    // The recorded traffic saw the same calls and scored items.
    const traffic = await readRecordedTraffic(kit.connection, kit.prefix);
    const [series] = traffic.series;
    expect(series!.calls.reduce((n, c) => n + c.count, 0)).toBe(billed.calls);
    expect(series!.calls.reduce((n, c) => n + c.count * c.items, 0)).toBe(billed.items);
    expect(series!.confidence[0]!.reduce((a, b) => a + b, 0)).toBe(260);
  });

  it("books a call whose answer timed out as an estimate, apart, never below what the sandbox billed for it", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, requests } = trafficOf(909, 1, 20);
    await kit.onboard(...merchantIds);
    await kit.alipay.currentKey();
    // The worker's client gives up after 150 ms; the sandbox answers after ~400 ms but bills at once.
    const impatient = kit.alipayWith({
      defaultTimeoutMs: 150,
    });
    await sandbox.control.faults({ latency: { median_ms: 400, p99_ms: 450 } });
    await kit.enqueue(requests);
    await kit.startWorker({ alipay: impatient, cost: { redis: kit.connection } });

    const lost = await eventually("an estimated call", async () => {
      const { estimated } = totals(await readLedger(kit.connection, kit.prefix));
      return estimated.calls > 0 ? estimated : undefined;
    });
    await sandbox.control.faults({ latency: { profile: "fast" } });
    const { completed } = await kit.settle(20);
    expect(completed).toHaveLength(20);

    const sandboxLedger = await sandbox.control.ledger();
    const { billed, estimated } = totals(await readLedger(kit.connection, kit.prefix));
    expect(lost.items).toBeGreaterThan(0);
    // Estimated apart: the answered calls alone are what the billed part says.
    expect(billed.answered).toBe(20);
    expect(estimated.callUnits).toBe(100 * estimated.calls);
    // Items sent are billed whether the answer came or not: exact.
    expect(billed.itemUnits + estimated.itemUnits).toBe(sandboxLedger.items);
    // Nothing answered today before the first loss: its review fee is the worst case (all flagged),
    // so billed + estimated never under-states; without the review part it never over-states.
    const sandboxUnits = units(sandboxLedger.cost_usd);
    expect(billed.totalUnits + estimated.totalUnits).toBeGreaterThanOrEqual(sandboxUnits);
    expect(billed.totalUnits + estimated.callUnits + estimated.itemUnits).toBeLessThanOrEqual(sandboxUnits);
  });
});
