import { randomBytes } from "node:crypto";
import { createAlipayClient } from "@riskq/alipay";
import { QUEUES, type ScoreJobData, type ScoreJobResult, scoreJobId } from "@riskq/contracts";
import {
  callbackSecretFor,
  createCallbackQueue,
  createCallRateLimiter,
  createCircuitBreaker,
  createDeadLetterQueue,
  createScoreQueue,
  DeadLetterStore,
  verifyCallback,
} from "@riskq/pipeline";
import { startCallbackReceiver } from "@riskq/pipeline/testing";
import { generateMerchants, generateTraffic } from "@riskq/synthetic";
import { useSandbox, useTestRedis } from "@riskq/testing/vitest";
import { Redis } from "ioredis";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { buildWorker } from "../src/build-worker";
import { workerEnv } from "../src/worker-env";
import { splitWorkerOptions } from "../src/worker-options";

const sandboxSuite = useSandbox();
const redisSuite = useTestRedis({ url: process.env.REDIS_URL });

const SECRET = "worker-test-callback-secret-0123";
const MODEL = "risk-v3-2026-11";
const JOBS = 40;

describe("result callbacks from a running worker", () => {
  it("every job's callback arrives, signed for the submitting key, with the job's return value; a dead job's says why", async () => {
    const { sandbox } = sandboxSuite;
    const { prefix } = redisSuite.redis;
    const logger = pino({ level: "silent" });
    const connection = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
      maxRetriesPerRequest: null,
    });
    const alipay = createAlipayClient({
      endpoint: sandbox.url,
      appId: sandbox.appId,
      appPrivateKey: sandbox.appPrivateKey,
      platformPublicKey: sandbox.platformPublicKey,
      redis: connection,
      prefix,
      secretKey: randomBytes(32),
      logger,
    });
    const merchant = generateMerchants({ seed: 11, count: 1 })[0]!;
    const { auth_code } = await sandbox.control.createMerchant(merchant.merchant_id);
    await alipay.onboardMerchant(merchant.merchant_id, auth_code);

    // Every other job's first POST fails: the callback must still arrive, by retry.
    const flaky = new Set<string>();
    const receiver = await startCallbackReceiver(SECRET, (jobId, nth) =>
      flaky.has(jobId) && nth === 1 ? 503 : 200,
    );
    const scoreQueue = createScoreQueue({ connection, prefix });
    const deadQueue = createDeadLetterQueue({ connection, prefix });
    const callbackQueue = createCallbackQueue({ connection, prefix });
    const running = await buildWorker(
      ...splitWorkerOptions({
        connection,
        prefix,
        alipay,
        limiter: createCallRateLimiter({ redis: connection, prefix }),
        breaker: createCircuitBreaker(),
        deadLetters: new DeadLetterStore(scoreQueue, deadQueue, undefined, callbackQueue),
        logger,
        batchCap: 100,
        lingerMs: 25,
        concurrency: 100,
        maxAttempts: 8,
        defaultModelVersion: MODEL,
        expiredPolicy: "dead-letter",
        onDeadline: "expire",
        maxRateLimitWaitMs: 3_600_000,
        callbacks: {
          queue: callbackQueue,
          secret: SECRET,
          concurrency: 20,
          backoff: { baseMs: 20, capMs: 100 },
          // The receiver listens on 127.0.0.1: opened as RISKQ_CALLBACK_ALLOWED_HOSTS=127.0.0.1 would.
          destinations: {
            allowList: workerEnv.shape.RISKQ_CALLBACK_ALLOWED_HOSTS.parse("127.0.0.1"),
            requireHttps: false,
          },
        },
      }),
    );

    try {
      const items = generateTraffic({
        seed: 11,
        merchants: [merchant],
        count: JOBS + 1,
        start: "2026-11-26T08:00:00Z",
      }).map((t) => t.item);
      const now = Date.now();
      const ids = items.map((item) => scoreJobId(item.merchant_id, item.item_id));
      ids.forEach((id, i) => {
        if (i % 2 === 0) flaky.add(id);
      });
      // The last job is past its deadline on arrival: with EXPIRED_POLICY=dead-letter it dies.
      const deadId = ids.at(-1)!;
      await scoreQueue.addBulk(
        items.map((item, i) => ({
          name: QUEUES.score,
          data: {
            request: { ...item, task: "transaction_anomaly", callback_url: receiver.url },
            enqueued_at: now,
            deadline_at: i === JOBS ? now - 1 : now + 60_000,
            submitted_by: "checkout",
          } satisfies ScoreJobData,
          opts: { jobId: ids[i]! },
        })),
      );

      const delivered = (id: string) => receiver.of(id).some((r) => r.status === 200);
      await receiver.until(() => ids.every(delivered), "a delivered callback for every job", 30_000);

      // A callback is queued just before its job completes: wait for the completions too.
      await until(async () => (await scoreQueue.getJobCounts("completed")).completed === JOBS);
      expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
      // Signed for the key that submitted the jobs (completions and the death alike), not the master.
      const checkoutSecret = callbackSecretFor(SECRET, "checkout");
      for (const request of receiver.received) {
        expect(request.headers["x-riskq-submitted-by"]).toBe("checkout");
        const signed = {
          timestamp: String(request.headers["x-riskq-timestamp"]),
          signature: String(request.headers["x-riskq-signature"]),
          url: receiver.url,
          rawBody: request.rawBody,
        };
        expect(verifyCallback(checkoutSecret, signed)).toBe(true);
        expect(verifyCallback(SECRET, signed)).toBe(false);
      }
      for (const id of ids.slice(0, JOBS)) {
        const job = await scoreQueue.getJob(id);
        const returned: ScoreJobResult | undefined = job?.returnvalue;
        expect(returned?.source).toBe("remote");
        for (const request of receiver.of(id)) {
          expect(request.headers["x-riskq-job-id"]).toBe(id);
          expect(request.body).toMatchObject({ id, event: "completed", result: returned });
        }
      }
      // The flaky half needed a retry; the rest arrived at the first attempt.
      expect(ids.slice(0, JOBS).map((id) => receiver.of(id).length)).toEqual(
        ids.slice(0, JOBS).map((id) => (flaky.has(id) ? 2 : 1)),
      );

      const [death] = receiver.of(deadId).filter((r) => r.status === 200);
      expect(death?.headers["x-riskq-event"]).toBe("dead");
      expect(death?.body.event).toBe("dead");
      expect(death?.body.dead_letter).toMatchObject({ job_id: deadId, reason: "expired" });
    } finally {
      await running.close();
      await Promise.all([scoreQueue.close(), deadQueue.close(), callbackQueue.close()]);
      await receiver.close();
      await connection.quit();
    }
  }, 60_000);
});

/** Polls until `check` holds (a hang guard, not a timing assertion). */
async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > giveUp) throw new Error("gave up waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}
