import { riskLevelOf, scoreJobResultSchema } from "@riskq/contracts";
import { describe, expect, it } from "vitest";
import { historyOf, MODEL, trafficOf, useWorkerKit } from "./support/worker-harness";

const suite = useWorkerKit();

describe("scoring through the worker", () => {
  it("scores 300 jobs of 3 merchants remotely, in far fewer calls than jobs, each result as the contract says", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, requests } = trafficOf(101, 3, 300);
    await kit.onboard(...merchantIds);
    const ids = await kit.enqueue(requests);
    await kit.startWorker({ concurrency: 300, lingerMs: 100 });

    const { completed, failed } = await kit.settle(ids.length);
    expect(failed).toHaveLength(0);
    expect(completed).toHaveLength(300);

    const byId = new Map(requests.map((r) => [`${r.merchant_id}-${r.item_id}`, r]));
    let billed = 0;
    for (const job of completed) {
      const result = scoreJobResultSchema.parse(job.returnvalue);
      expect(result.item_id).toBe(byId.get(job.id!)?.item_id);
      expect(result).toMatchObject({ source: "remote", model_version: MODEL, attempts: 1 });
      expect(result.confidence).not.toBeNull();
      expect(result.risk_level).toBe(riskLevelOf(result.confidence!));
      expect(result.risk_score).toBe(Math.round(result.confidence! * 100));
      expect(result.cost_usd).toBeGreaterThan(0);
      billed += result.cost_usd;
    }

    const ledger = await sandbox.control.ledger();
    expect(ledger.items).toBe(300);
    // Micro-batching: one call per batch, not per job (token grants and the key query included).
    expect(ledger.calls).toBeLessThanOrEqual(300 / 10);
    expect(ledger.silent_drops + ledger.truncations).toBe(0);
    // The per-job shares add up to what the remote billed (each share is rounded to 1e-8).
    expect(Math.abs(billed - ledger.cost_usd)).toBeLessThan(1e-5);
  });

  it("on a young account lowers its cap of 100 to 50 after a truncated answer, and every job still completes", async () => {
    const { kit, sandbox } = suite;
    await sandbox.control.setAccountCreatedAt(new Date().toISOString());
    const { merchantIds, requests } = trafficOf(202, 1, 200);
    await kit.onboard(...merchantIds);
    const ids = await kit.enqueue(requests);
    // A long linger lets the first batch fill past the young account's hidden limit of 50.
    const worker = await kit.startWorker({ batchCap: 100, concurrency: 100, lingerMs: 1_000 });
    expect(worker.batchCap()).toBe(100);

    const { completed, failed } = await kit.settle(ids.length);
    expect(failed).toHaveLength(0);
    expect(completed).toHaveLength(200);
    expect(await kit.deadQueue.count()).toBe(0);
    expect(worker.batchCap()).toBe(50);
    // Learned once for every worker process, through Redis.
    expect(await kit.alipay.learnedBatchCap()).toBe(50);
    const ledger = await sandbox.control.ledger();
    expect(ledger.truncations).toBeGreaterThanOrEqual(1);

    const results = completed.map((j) => scoreJobResultSchema.parse(j.returnvalue));
    expect(results.every((r) => r.source === "remote")).toBe(true);
    // Our cap was wrong, not the job: re-batching spends no attempt.
    expect(results.every((r) => r.attempts === 1)).toBe(true);
    expect(completed.some((j) => historyOf(j).includes("batch_truncated"))).toBe(true);
  });

  it("probes a lowered cap back to 100 once truncations stop (the account aged), with one more truncation while it was still young", async () => {
    const { kit, sandbox } = suite;
    await sandbox.control.setAccountCreatedAt(new Date().toISOString());
    const { merchantIds, requests } = trafficOf(212, 1, 400);
    await kit.onboard(...merchantIds);
    const worker = await kit.startWorker({
      batchCap: 100,
      concurrency: 100,
      lingerMs: 500,
      batchCapProbeMs: 1_000,
    });
    await kit.enqueue(requests.slice(0, 100));
    await kit.settle(100);
    expect(worker.batchCap()).toBe(50);

    // Still young: a probe after a quiet second truncates again, and the cap drops back.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await kit.enqueue(requests.slice(100, 200));
    await kit.settle(200);
    expect(worker.batchCap()).toBe(50);
    const youngTruncations = (await sandbox.control.ledger()).truncations;
    expect(youngTruncations).toBeGreaterThanOrEqual(2);

    // The account comes of age: the next probe holds, and full calls of 100 are answered whole.
    await sandbox.control.setAccountCreatedAt(new Date(Date.now() - 400 * 86_400_000).toISOString());
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await kit.enqueue(requests.slice(200));
    const { completed, failed } = await kit.settle(400);
    expect(failed).toHaveLength(0);
    expect(completed.every((job) => job.returnvalue.source === "remote")).toBe(true);
    expect(worker.batchCap()).toBe(100);
    expect(await kit.alipay.learnedBatchCap()).toBeUndefined();
    expect((await sandbox.control.ledger()).truncations).toBe(youngTruncations);
  });

  it("survives a token that expired on the remote behind the worker's back: silent drop, refresh, retry", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, requests } = trafficOf(303, 2, 60);
    await kit.onboard(...merchantIds);
    // A forced rotation gives the current AES key a full day, so jumping the sandbox clock cannot
    // cross a scheduled rotation (which would fail for other reasons than the one under test).
    await sandbox.control.rotateKeys();
    // The worker's client runs on real time: it still believes the 15-minute token fresh.
    await sandbox.control.advanceClock(15 * 60_000 + 5_000);
    const ids = await kit.enqueue(requests);
    await kit.startWorker();

    const { completed, failed } = await kit.settle(ids.length);
    expect(failed).toHaveLength(0);
    expect(completed).toHaveLength(60);
    const results = completed.map((j) => scoreJobResultSchema.parse(j.returnvalue));
    expect(results.every((r) => r.source === "remote")).toBe(true);

    const ledger = await sandbox.control.ledger();
    expect(ledger.silent_drops).toBeGreaterThanOrEqual(1);
    expect(ledger.token_refreshes).toBeGreaterThanOrEqual(1);
    expect(ledger.revocations).toBe(0);
    // The dropped jobs were retried after the refresh; the drop is in their history.
    const dropped = completed.filter((j) => historyOf(j).includes("silent_drop"));
    expect(dropped.length).toBeGreaterThan(0);
    for (const job of dropped) expect(job.returnvalue.attempts).toBeGreaterThan(1);
  });
});
