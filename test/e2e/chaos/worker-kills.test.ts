/**
 * Chaos: worker processes SIGKILLed again and again while traffic flows. Three workers; every ~2 s a
 * random one is killed (its batches in flight, its callback deliveries half done) and a replacement
 * is started, while services keep enqueuing through the API with a `callback_url` on every job.
 * riskq's promises must hold: every job ends once (completed, or dead as `stalled` when it was caught
 * in more kills than its stall allowance), every outcome's signed callback arrives, no log holds a
 * secret. `pnpm test:soak` (SOAK=1) runs it longer, with more jobs and kills.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createRng } from "@riskq/synthetic";
import type { AppProcess } from "@riskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallbackReceiver, startCallbackReceiver } from "../support/callback-receiver";
import { capturedLogs, expectChaosInvariants, judgeRun } from "../support/chaos-invariants";
import { prepareChaosTraffic } from "../support/chaos-traffic";
import { limiterState } from "../support/limiter-state";
import { formatCounts, queueCounts, waitUntilCompleted, waitUntilSettled } from "../support/settle";
import { type Stack, startStack } from "../support/stack";
import { startTrafficPump } from "../support/traffic-pump";

const SOAK = process.env.SOAK === "1";
const JOBS = SOAK ? 12_000 : 2_000;
const PER_SECOND = 200;
const KILLS = SOAK ? 30 : 5;
const KILL_EVERY_MS = 2_000;
const MERCHANTS = 4;
const CALLBACK_SECRET = "chaos-worker-kills-callback-secret";
const LIFTED = { app_qps: 1_000, app_burst: 1_000, batch_qps: 1_000, batch_burst: 1_000 };

const log = (line: string) => process.stdout.write(`[chaos worker-kills] ${line}\n`);

let stack: Stack;
let receiver: CallbackReceiver;

beforeAll(async () => {
  receiver = await startCallbackReceiver({ secret: CALLBACK_SECRET, refuseFirstShare: 0.05 });
  stack = await startStack({
    workers: 3,
    logLevel: "debug",
    // A short lock so a killed worker's jobs go to the others within seconds; small batches and
    // few jobs per process so every kill lands on calls in flight.
    workerEnv: {
      JOB_LOCK_MS: "5000",
      BATCH_CAP: "20",
      WORKER_CONCURRENCY: "40",
      ALIPAY_INITIAL_RATE: "50",
      RISKQ_CALLBACK_SECRET: CALLBACK_SECRET,
    },
    sandbox: { seed: 101 },
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
}, 60_000);

describe("chaos: workers SIGKILLed every ~2 s under load", () => {
  it(
    "every job ends once, every outcome's callback arrives signed, no secret is logged",
    async () => {
      const { sandbox, scoreQueue, deadQueue } = stack;
      // Calls take 100–250 ms: a kill always finds some in flight.
      await sandbox.control.faults({ latency: { median_ms: 100, p99_ms: 250 }, rate_limits: LIFTED });
      const { harvest, requests } = await prepareChaosTraffic(stack, {
        seed: 101,
        merchants: MERCHANTS,
        jobs: JOBS,
        callbackUrl: receiver.url,
        callbackSecret: CALLBACK_SECRET,
        appPrivateKey: sandbox.appPrivateKey,
      });
      const startedAt = Date.now();
      const pump = startTrafficPump({ api: stack.api, requests, perSecond: PER_SECOND });
      const explain = () => limiterState(stack.testRedis.redis, stack.prefix);
      await waitUntilCompleted(scoreQueue, 100, { timeoutMs: 30_000, explain });

      const rng = createRng(103);
      const live: AppProcess[] = [...stack.workers];
      const starting: Promise<void>[] = [];
      const kills: string[] = [];
      for (let k = 0; k < KILLS; k++) {
        await sleep(KILL_EVERY_MS * (0.75 + rng.next() / 2));
        // Always leave one survivor while replacements boot.
        while (live.length < 2) await sleep(100);
        const [victim] = live.splice(Math.floor(rng.next() * live.length), 1);
        const at = await queueCounts(scoreQueue, deadQueue);
        await victim!.kill();
        kills.push(`${victim!.name} at ${Date.now() - startedAt} ms (active ${at.active})`);
        starting.push(
          stack.addWorker().then((w) => {
            live.push(w);
          }),
        );
      }
      await Promise.all(starting);
      await pump.done;
      log(`killed ${kills.length}: ${kills.join("; ")}`);
      log(`enqueued ${pump.ids.length} jobs after ${Date.now() - startedAt} ms`);

      const counts = await waitUntilSettled(scoreQueue, deadQueue, JOBS, { timeoutMs: 60_000, explain });
      log(`settled after ${Date.now() - startedAt} ms: ${formatCounts(counts)}`);
      const recovered = (await scoreQueue.getCompleted(0, -1)).filter(
        (j) => (j.stalledCounter ?? 0) > 0,
      ).length;
      log(`completed after a stall (taken over from a killed worker): ${recovered}`);

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
        moreLogs: capturedLogs([{ name: "sandbox", stdout: sandbox.stdout, stderr: sandbox.stderr }]),
        callbackWaitMs: 90_000,
        log,
      });
      log(`done after ${Date.now() - startedAt} ms`);

      expect(pump.ids).toHaveLength(JOBS);
      expect(pump.unexpectedDuplicates).toEqual([]);
      expectChaosInvariants(verdict, { ids: pump.ids, allowedDeadReasons: ["stalled"] });
      // The kills hit work in flight, or the run proved nothing about recovery.
      expect(recovered + (verdict.outcomes.deadReasons.stalled ?? 0)).toBeGreaterThan(0);
      // Receivers were refused now and then, and those deliveries were retried.
      expect(receiver.refused).toBeGreaterThan(0);
    },
    SOAK ? 900_000 : 240_000,
  );
});
