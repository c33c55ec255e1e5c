import { join } from "node:path";
import type { ScoreRequestBody } from "@riskq/contracts";
import { startAppProcess } from "@riskq/testing";
import { describe, expect, it } from "vitest";
import { eventually, sleep, trafficOf, useWorkerKit, type WorkerKit } from "./support/worker-harness";

const suite = useWorkerKit();

/**
 * 100 requests alternating between two merchants: two batches of 50 that stay under a cap of 100 and,
 * with 200 job slots, leave the worker room for more, so they linger (a full worker sends at once).
 */
function twoMerchantRequests(seed: number, count = 100) {
  const { merchantIds, requests } = trafficOf(seed, 2, count);
  const alternating: ScoreRequestBody[] = requests.map((r, i) => ({
    ...r,
    merchant_id: merchantIds[i % 2]!,
  }));
  return { merchantIds, requests: alternating };
}

/** Waits until `count` jobs are active (sitting in lingering batches), then names them. */
async function activeJobIds(kit: WorkerKit, count: number): Promise<string[]> {
  await eventually(`${count} active jobs`, async () =>
    (await kit.scoreQueue.getActiveCount()) === count ? true : undefined,
  );
  // Let the last fetched jobs reach their processors (and so their batches) before shutting down.
  await sleep(200);
  return (await kit.scoreQueue.getActive()).map((j) => j.id!).sort();
}

async function completedIds(kit: WorkerKit): Promise<string[]> {
  return (await kit.scoreQueue.getCompleted(0, -1)).map((j) => j.id!).sort();
}

describe("graceful shutdown", () => {
  it("close() flushes the lingering batches: jobs in flight complete, the rest wait for another worker", async () => {
    const { kit } = suite;
    const { merchantIds, requests } = twoMerchantRequests(1212, 200);
    await kit.onboard(...merchantIds);
    const ids = await kit.enqueue(requests.slice(0, 100));
    // Batches would linger for a minute: only the shutdown's flush can send them within the test.
    const first = await kit.startWorker({ batchCap: 100, concurrency: 200, lingerMs: 60_000 });
    const inFlight = await activeJobIds(kit, 100);

    await first.close();
    expect(await kit.scoreQueue.getActiveCount()).toBe(0);
    expect(await kit.scoreQueue.getFailedCount()).toBe(0);
    expect(await completedIds(kit)).toEqual(inFlight);

    // The closed worker takes nothing more: jobs enqueued now are done by the next worker.
    const later = await kit.enqueue(requests.slice(100));
    expect(await kit.scoreQueue.getWaitingCount()).toBe(later.length);
    await kit.startWorker({ batchCap: 100, concurrency: 200, lingerMs: 50 });
    const { completed, failed } = await kit.settle(ids.length + later.length);
    expect(failed).toHaveLength(0);
    expect(completed.map((j) => j.id).sort()).toEqual([...ids, ...later].sort());
  });

  it("a worker process on SIGTERM finishes its in-flight jobs and exits 0", async () => {
    const { kit, sandbox, redis } = suite;
    const { merchantIds, requests } = twoMerchantRequests(1313);
    await kit.onboard(...merchantIds);
    await kit.enqueue(requests);
    const worker = await startAppProcess({
      name: "worker",
      script: "apps/worker/src/main.ts",
      readyEvent: "worker-ready",
      env: {
        ...(process.env as Record<string, string>),
        REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
        RISKQ_PREFIX: redis.prefix,
        RISKQ_SECRET_KEY: kit.secretKey.toString("base64"),
        ALIPAY_ENDPOINT: sandbox.url,
        ALIPAY_APP_ID: sandbox.appId,
        ALIPAY_APP_PRIVATE_KEY_FILE: join(sandbox.keysDir, "app-private.pem"),
        ALIPAY_PLATFORM_PUBLIC_KEY_FILE: join(sandbox.keysDir, "platform-public.pem"),
        BATCH_CAP: "100",
        WORKER_CONCURRENCY: "200",
        BATCH_LINGER_MS: "5000",
        // Shorter than the linger: unless SIGTERM flushes the batches, the process is cut off with
        // its jobs still active and exits 1.
        SHUTDOWN_GRACE_MS: "3000",
        LOG_LEVEL: "silent",
      },
    });
    try {
      const inFlight = await activeJobIds(kit, 100);
      await worker.stop(20_000);
      expect(await worker.exited).toBe(0);
      expect(await kit.scoreQueue.getActiveCount()).toBe(0);
      expect(await kit.scoreQueue.getFailedCount()).toBe(0);
      expect(await completedIds(kit)).toEqual(inFlight);
      // Every job was in flight and finished: none was left behind or handed back.
      expect(await kit.scoreQueue.getJobCountByTypes("waiting", "delayed")).toBe(0);
    } finally {
      await worker.kill();
    }
  });
});
