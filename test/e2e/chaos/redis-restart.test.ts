/**
 * Chaos: Redis itself goes away under load. The stack runs on a `redis-server` of the test's own
 * (its own port and directory, `appendonly yes`, `appendfsync always`), which is stopped and started
 * again on the same port with the same directory while services enqueue and workers score: once
 * cleanly (SIGTERM: Redis flushes and fsyncs the AOF, then exits) and once by SIGKILL. With `always`
 * every write Redis acknowledged was fsynced to the AOF before the answer left, so even the SIGKILL
 * loses nothing a client was told had happened (`everysec` would leave up to a second of
 * acknowledged writes to a machine crash, and in a stall of the background fsync, to a process
 * crash too). The clients reconnect by themselves; the API answers 503 meanwhile and the
 * services retry. Every job must end once with its callback, no secret in any log.
 * `pnpm test:soak` (SOAK=1) restarts it more often, under more traffic.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallbackReceiver, startCallbackReceiver } from "../support/callback-receiver";
import { capturedLogs, expectChaosInvariants, judgeRun } from "../support/chaos-invariants";
import { prepareChaosTraffic } from "../support/chaos-traffic";
import { formatCounts, type QueueCounts, queueCounts, waitUntilSettled } from "../support/settle";
import { type Stack, startStack } from "../support/stack";
import { type RedisStop, type StandaloneRedis, startStandaloneRedis } from "../support/standalone-redis";
import { startTrafficPump } from "../support/traffic-pump";

const SOAK = process.env.SOAK === "1";
const JOBS = SOAK ? 10_000 : 1_600;
const PER_SECOND = 200;
/** Alternating clean and hard restarts, one every RESTART_EVERY_MS. */
const RESTARTS: RedisStop[] = SOAK
  ? ["shutdown", "kill", "shutdown", "kill", "shutdown", "kill", "shutdown", "kill"]
  : ["shutdown", "kill"];
const RESTART_EVERY_MS = SOAK ? 5_000 : 2_500;
/** How long Redis stays down each time. */
const DOWN_MS = 1_000;
const MERCHANTS = 4;
const CALLBACK_SECRET = "chaos-redis-restart-callback-secret";
const LIFTED = { app_qps: 1_000, app_burst: 1_000, batch_qps: 1_000, batch_burst: 1_000 };

const log = (line: string) => process.stdout.write(`[chaos redis-restart] ${line}\n`);

let redis: StandaloneRedis;
let stack: Stack;
let receiver: CallbackReceiver;

beforeAll(async () => {
  [redis, receiver] = await Promise.all([
    startStandaloneRedis({ appendfsync: "always" }),
    startCallbackReceiver({ secret: CALLBACK_SECRET }),
  ]);
  stack = await startStack({
    workers: 2,
    redisUrl: redis.url,
    logLevel: "debug",
    workerEnv: {
      JOB_LOCK_MS: "5000",
      BATCH_CAP: "25",
      ALIPAY_INITIAL_RATE: "50",
      RISKQ_CALLBACK_SECRET: CALLBACK_SECRET,
    },
    sandbox: { seed: 111 },
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
  await redis?.dispose();
}, 60_000);

/** Queue counts, retried while Redis is away (the test's own client fails fast). */
async function countsWhenUp(): Promise<QueueCounts> {
  for (;;) {
    try {
      return await queueCounts(stack.scoreQueue, stack.deadQueue);
    } catch {
      await sleep(100);
    }
  }
}

describe("chaos: Redis stopped and started again under load", () => {
  it(
    "a clean restart and a SIGKILL: every job ends once, every callback arrives, no secret is logged",
    async () => {
      const { sandbox, scoreQueue, deadQueue } = stack;
      await sandbox.control.faults({ latency: { median_ms: 50, p99_ms: 150 }, rate_limits: LIFTED });
      const { harvest, requests } = await prepareChaosTraffic(stack, {
        seed: 111,
        merchants: MERCHANTS,
        jobs: JOBS,
        callbackUrl: receiver.url,
        callbackSecret: CALLBACK_SECRET,
        appPrivateKey: sandbox.appPrivateKey,
      });
      const startedAt = Date.now();
      const pump = startTrafficPump({ api: stack.api, requests, perSecond: PER_SECOND });
      const restarts: string[] = [];
      for (const how of RESTARTS) {
        await sleep(RESTART_EVERY_MS);
        const before = await countsWhenUp();
        await redis.stop(how);
        const downAt = Date.now();
        await sleep(DOWN_MS);
        await redis.start();
        const after = await countsWhenUp();
        restarts.push(
          `${how} at ${downAt - startedAt} ms, back after ${Date.now() - downAt} ms ` +
            `(completed ${before.completed} before, ${after.completed} after)`,
        );
        // What Redis acknowledged before it went down is still there (AOF, appendfsync always).
        expect(after.completed).toBeGreaterThanOrEqual(before.completed);
      }
      await pump.done;
      log(`restarts: ${restarts.join("; ")}`);
      log(
        `enqueued ${pump.ids.length} jobs after ${Date.now() - startedAt} ms; ${pump.retriedChunks} batch ` +
          `requests retried (${pump.failedAttempts} attempts refused while Redis was down)`,
      );

      const counts = await waitUntilSettled(scoreQueue, deadQueue, JOBS, { timeoutMs: 90_000 });
      log(`settled after ${Date.now() - startedAt} ms: ${formatCounts(counts)}`);

      const slow = (await scoreQueue.getCompleted(0, -1)).filter(
        (j) => (j.finishedOn ?? 0) - (j.processedOn ?? 0) >= 20_000,
      ).length;
      const ledger = await sandbox.control.ledger();
      log(
        `sandbox billed ${ledger.items} items for ${JOBS} jobs; ${slow} jobs took 20 s or more from their last start`,
      );

      const verdict = await judgeRun({
        stack,
        ids: pump.ids,
        receiver,
        harvest,
        moreLogs: [
          ...capturedLogs([{ name: "sandbox", stdout: sandbox.stdout, stderr: sandbox.stderr }]),
          { name: "redis-server", text: redis.log },
        ],
        callbackWaitMs: 90_000,
        log,
      });
      log(`done after ${Date.now() - startedAt} ms`);

      expect(redis.starts).toBe(RESTARTS.length + 1);
      expect(pump.ids).toHaveLength(JOBS);
      expect(pump.unexpectedDuplicates).toEqual([]);
      // The outages were real: the API refused requests while Redis was away.
      expect(pump.failedAttempts).toBeGreaterThan(0);
      // A worker that lost its lock during the outage may see its job handed on (`stalled` only if
      // that happened more often than the stall allowance); nothing else may kill a job here.
      expectChaosInvariants(verdict, { ids: pump.ids, allowedDeadReasons: ["stalled"] });
    },
    SOAK ? 900_000 : 240_000,
  );
});
