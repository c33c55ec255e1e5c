import { QUEUES, type ScoreJobData, type ScoreJobResult, scoreJobId } from "@riskq/contracts";
import {
  completedDelivery,
  createCallbackQueue,
  createCircuitBreaker,
  createMicroBatcher,
  createScoreQueue,
  enqueueCallback,
  type ScoreJobDataWithHistory,
} from "@riskq/pipeline";
import { builtInPrefilter } from "@riskq/prefilter";
import { generateMerchants, generateTraffic } from "@riskq/synthetic";
import { useTestRedis } from "@riskq/testing/vitest";
import { type Job, Worker } from "bullmq";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import type { BatchItem } from "../src/batching/batch-call";
import { createCallLatency } from "../src/batching/call-latency";
import { createScoreProcessor } from "../src/scoring/score-processor";

const redisSuite = useTestRedis({ url: process.env.REDIS_URL });

const EARLIER: ScoreJobResult = {
  item_id: "set-below",
  source: "remote",
  confidence: 0.7,
  risk_score: 70,
  risk_level: "high",
  flagged: true,
  info_code: [],
  model_version: "risk-v3-2026-11",
  cost_usd: 0.002,
  attempts: 1,
};

describe("score processor and result callbacks", () => {
  it("a job run again after its first run queued the callback answers with that same result", async () => {
    const { prefix } = redisSuite.redis;
    const connection = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
      maxRetriesPerRequest: null,
    });
    const scoreQueue = createScoreQueue({ connection, prefix });
    const callbackQueue = createCallbackQueue({ connection, prefix });
    // Fetches jobs by hand, so the test decides when a run starts.
    const fetcher = new Worker<ScoreJobDataWithHistory, ScoreJobResult>(QUEUES.score, null, {
      connection,
      prefix,
    });
    // Scoring again would be the bug: this batcher fails every flush.
    const batcher = createMicroBatcher<BatchItem, ScoreJobResult>({
      keyOf: () => "all",
      cap: () => 1,
      lingerMs: 0,
      flush: async () => {
        throw new Error("scored a second time");
      },
    });
    try {
      const merchant = generateMerchants({ seed: 5, count: 1 })[0]!;
      const item = generateTraffic({
        seed: 5,
        merchants: [merchant],
        count: 1,
        start: "2026-11-26T08:00:00Z",
      })[0]!.item;
      const id = scoreJobId(item.merchant_id, item.item_id);
      const url = "http://127.0.0.1:9/hook";
      const data: ScoreJobData = {
        request: { ...item, task: "transaction_anomaly", callback_url: url },
        enqueued_at: Date.now(),
        deadline_at: Date.now() + 60_000,
      };
      await scoreQueue.add(QUEUES.score, data, { jobId: id });

      // Run 1 queues its callback, then its worker is gone before the job completes…
      const first = await fetcher.getNextJob("run-1");
      expect(first?.id).toBe(id);
      const result = { ...EARLIER, item_id: item.item_id };
      await enqueueCallback(callbackQueue, completedDelivery(id, url, result));
      // …and the job goes back to the queue (as a stalled job does) and starts again.
      await first!.moveToDelayed(Date.now(), "run-1");
      let second: Job<ScoreJobDataWithHistory, ScoreJobResult> | undefined;
      while (!second) second = await fetcher.getNextJob("run-2", { block: false });
      expect(second.attemptsStarted).toBe(2);

      const processor = createScoreProcessor({
        batcher,
        breaker: createCircuitBreaker(),
        maxAttempts: 8,
        deadline: { policy: "local", marginMs: 50, prefilter: builtInPrefilter(), expiredPolicy: "complete" },
        callLatency: createCallLatency({ initialMs: 0 }),
        maxRateLimitWaitMs: 3_600_000,
        callbacks: callbackQueue,
      });
      expect(await processor(second, "run-2")).toEqual(result);
      expect(await callbackQueue.getJobCounts("waiting")).toEqual({ waiting: 1 });
    } finally {
      await batcher.close();
      await fetcher.close();
      await Promise.all([scoreQueue.close(), callbackQueue.close()]);
      await connection.quit();
    }
  });
});
