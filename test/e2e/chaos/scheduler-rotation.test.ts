/**
 * Chaos: the scheduler is SIGKILLed in the middle of an AES key rotation, while traffic flows. The
 * sandbox forces a rotation (a new key from now; the old one is still accepted for the grace), the
 * scheduler's key-rotation job starts fetching the new list (the sandbox answers slowly, so the kill
 * lands mid-fetch, before anything is stored) and its process is killed; another scheduler starts.
 * The traffic goes on past the end of the grace, when the old key is refused: by then the workers
 * must be encrypting with the new key — whether the new scheduler's recovered run stored it first or
 * a worker's own refetch after an `invalid-signature` did — so no job dies as `key_rejected` (or at
 * all), every callback arrives, no log holds a secret, and the key riskq uses is the sandbox's.
 *
 * The grace is cut from Alipay's 5 minutes to 35 s so the run fits in the suite; riskq switches to a
 * new key only once it has been in force for 30 s (clock-skew margin), so a grace must exceed that.
 * The sandbox's clock is not moved: riskq's processes read the real clock, and a virtual jump past a
 * key's not_before would make them pick keys the sandbox no longer accepts — a test artefact.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createAlipayClient } from "@riskq/alipay";
import { createMaintenanceQueue, type MaintenanceQueue } from "@riskq/pipeline";
import { type AppProcess, startAppProcess } from "@riskq/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallbackReceiver, startCallbackReceiver } from "../support/callback-receiver";
import { capturedLogs, expectChaosInvariants, judgeRun } from "../support/chaos-invariants";
import { prepareChaosTraffic } from "../support/chaos-traffic";
import { formatCounts, waitUntilCompleted, waitUntilSettled } from "../support/settle";
import { type Stack, startStack } from "../support/stack";
import { startTrafficPump } from "../support/traffic-pump";

const SOAK = process.env.SOAK === "1";
/** Rotations, each with its scheduler kill. */
const ROUNDS = SOAK ? 4 : 1;
const GRACE_S = 35;
/** Traffic goes on this long after the grace of a rotation has ended. */
const AFTER_GRACE_MS = 3_000;
const PER_SECOND = 50;
/** Enough traffic for the whole run: warm-up, then each round's grace and a little after. */
const JOBS = PER_SECOND * (2 + ROUNDS * (GRACE_S + 6));
const MERCHANTS = 3;
const CALLBACK_SECRET = "chaos-scheduler-rotation-callback-secret";
const LIFTED = { app_qps: 1_000, app_burst: 1_000, batch_qps: 1_000, batch_burst: 1_000 };
/** The maintenance job the scheduler runs for a key rotation (apps/scheduler MAINTENANCE_JOBS). */
const KEY_ROTATION_JOB = "key-rotation";

/** What a key-rotation run returns (apps/scheduler maintenance processor). */
interface RotationRun {
  keyId: string;
  nextCheckAt: number;
  next: string;
}

const log = (line: string) => process.stdout.write(`[chaos scheduler-rotation] ${line}\n`);

let stack: Stack;
let receiver: CallbackReceiver;
let maintenance: MaintenanceQueue;
const schedulers: AppProcess[] = [];

async function startScheduler(): Promise<AppProcess> {
  const scheduler = await startAppProcess({
    name: `scheduler ${schedulers.length + 1}`,
    script: "apps/scheduler/src/main.ts",
    env: { ...stack.workerEnv, SCHEDULER_METRICS_PORT: "0" },
    readyEvent: "scheduler-ready",
    startTimeoutMs: 40_000,
  });
  schedulers.push(scheduler);
  return scheduler;
}

beforeAll(async () => {
  receiver = await startCallbackReceiver({ secret: CALLBACK_SECRET });
  stack = await startStack({
    workers: 2,
    logLevel: "debug",
    workerEnv: { JOB_LOCK_MS: "5000", ALIPAY_INITIAL_RATE: "50", RISKQ_CALLBACK_SECRET: CALLBACK_SECRET },
    sandbox: { seed: 121, env: { SANDBOX_KEY_GRACE_S: String(GRACE_S) } },
  });
  maintenance = createMaintenanceQueue({ connection: stack.testRedis.redis, prefix: stack.prefix });
  maintenance.on("error", () => {});
  await startScheduler();
}, 90_000);

afterAll(async () => {
  await Promise.allSettled(schedulers.map((s) => s.stop()));
  await maintenance?.close();
  await stack?.stop();
  await receiver?.close();
}, 60_000);

/** Polls `check` until it holds; a hang guard, not a timing assertion. */
async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > giveUp) throw new Error(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

describe("chaos: the scheduler SIGKILLed during a key rotation", () => {
  it(
    "scoring goes on past the old key's grace without key_rejected; riskq encrypts with the sandbox's key",
    async () => {
      const { sandbox, scoreQueue, deadQueue } = stack;
      const control = sandbox.control;
      await control.faults({ rate_limits: LIFTED });
      const { harvest, requests } = await prepareChaosTraffic(stack, {
        seed: 121,
        merchants: MERCHANTS,
        jobs: JOBS,
        callbackUrl: receiver.url,
        callbackSecret: CALLBACK_SECRET,
        appPrivateKey: sandbox.appPrivateKey,
      });
      const startedAt = Date.now();
      const pump = startTrafficPump({ api: stack.api, requests, perSecond: PER_SECOND });
      await waitUntilCompleted(scoreQueue, 50, { timeoutMs: 30_000 });

      const killedRuns: string[] = [];
      let lastGraceEnd = 0;
      for (let round = 1; round <= ROUNDS; round++) {
        // The key-rotation call answers after ~1.5 s: long enough to kill the job mid-fetch.
        await control.faults({ latency: { median_ms: 1_500, p99_ms: 2_000 } });
        const before = (await control.state()).keys.map((k) => k.key_id);
        await control.rotateKeys();
        const rotatedAt = Date.now();
        lastGraceEnd = rotatedAt + GRACE_S * 1_000;
        const after = (await control.state()).keys.map((k) => k.key_id);
        const jobId = `chaos-key-rotation-${round}`;
        await maintenance.add(KEY_ROTATION_JOB, { fallback: true }, { jobId });
        await until(
          async () => ((await maintenance.getJobState(jobId)) === "active" ? true : undefined),
          "the key-rotation job to start",
          15_000,
        );
        const victim = schedulers.at(-1)!;
        await victim.kill();
        const stateAtKill = await maintenance.getJobState(jobId);
        log(
          `round ${round}: keys ${before.join(",")} → ${after.join(",")} at ${rotatedAt - startedAt} ms; ` +
            `${victim.name} killed ${Date.now() - rotatedAt} ms later, its rotation job ${stateAtKill}`,
        );
        // Killed mid-run: the job is still held by the dead process.
        expect(stateAtKill).toBe("active");
        await control.faults({ latency: { profile: "fast" } });
        await startScheduler();

        killedRuns.push(jobId);
        // Traffic runs past the end of this rotation's grace: the old key is refused from there on, and
        // the workers must have switched (from the list a scheduler stored, or by their own refetch).
        await sleep(Math.max(0, lastGraceEnd + AFTER_GRACE_MS - Date.now()));

        // The new scheduler follows the rotation: a run of its own keeps the new key and plans the next check.
        const freshId = `${jobId}-after`;
        await maintenance.add(KEY_ROTATION_JOB, { fallback: true }, { jobId: freshId });
        const fresh = await until(
          async () => {
            const job = await maintenance.getJob(freshId);
            if (!job || !(await job.isCompleted())) return undefined;
            // Read again: the job may have completed after the read above, whose return value is then empty.
            return (await maintenance.getJob(freshId))?.returnvalue as RotationRun;
          },
          "a rotation run of the new scheduler",
          20_000,
        );
        log(`round ${round}: the new scheduler's run has key ${fresh.keyId} and planned ${fresh.next}`);
        expect(fresh.keyId).toBe(after.find((id) => !before.includes(id)));
        expect(fresh.next).toMatch(/^key-rotation-at-\d+$/);
        expect((await maintenance.getDelayed()).map((j) => j.id)).toContain(fresh.next);
      }

      await pump.done;
      const pumpDoneAt = Date.now();
      // The killed runs are taken over by the live scheduler once their lock (BullMQ's 30 s) lapses and
      // its stalled check (every 30 s) sees them: within about a minute. The soak run waits for that;
      // the suite's run reports how far it got (its traffic ends sooner).
      for (const jobId of killedRuns) {
        const state = SOAK
          ? await until(
              async () => ((await maintenance.getJobState(jobId)) === "completed" ? "completed" : undefined),
              `killed run ${jobId} to be taken over and completed`,
              90_000,
            )
          : await maintenance.getJobState(jobId);
        log(`killed run ${jobId}: ${state}`);
        // Never lost or failed: still held by the dead process (until its lock lapses), or done.
        expect(["active", "waiting", "completed"]).toContain(state);
      }
      log(`enqueued ${pump.ids.length} jobs after ${pumpDoneAt - startedAt} ms`);
      const counts = await waitUntilSettled(scoreQueue, deadQueue, JOBS, { timeoutMs: 60_000 });
      log(`settled after ${Date.now() - startedAt} ms: ${formatCounts(counts)}`);

      // The key riskq encrypts with now is the sandbox's current one, and the sandbox takes it.
      const client = createAlipayClient({
        endpoint: sandbox.url,
        appId: sandbox.appId,
        appPrivateKey: sandbox.appPrivateKey,
        platformPublicKey: sandbox.platformPublicKey,
        redis: stack.testRedis.redis,
        prefix: stack.prefix,
        secretKey: Buffer.from(stack.secretKey, "base64"),
        logger: pino({ level: "silent" }),
      });
      const inUse = await client.currentKey();
      const now = Date.now();
      const sandboxCurrent = (await control.state()).keys.find(
        (k) => Date.parse(k.not_before) <= now && now < Date.parse(k.expires_at),
      );
      const probe = await client.probeKeyHealth();
      const ledger = await control.ledger();
      log(
        `key in use ${inUse.keyId}, sandbox's current ${sandboxCurrent?.key_id}, probe: ${probe.detail}; ` +
          `sandbox answered invalid-signature ${ledger.by_code["invalid-signature"] ?? 0} times`,
      );

      const verdict = await judgeRun({
        stack,
        ids: pump.ids,
        receiver,
        harvest,
        moreLogs: [
          ...capturedLogs(schedulers),
          ...capturedLogs([{ name: "sandbox", stdout: sandbox.stdout, stderr: sandbox.stderr }]),
        ],
        callbackWaitMs: 30_000,
        log,
      });
      log(`done after ${Date.now() - startedAt} ms`);

      expect(pump.ids).toHaveLength(JOBS);
      expect(pump.unexpectedDuplicates).toEqual([]);
      // Traffic really crossed the end of the last grace.
      expect(pumpDoneAt).toBeGreaterThan(lastGraceEnd);
      expect(inUse.keyId).toBe(sandboxCurrent?.key_id);
      expect(probe.healthy).toBe(true);
      // No job dies of the rotation (nor of anything else): `key_rejected` least of all.
      expectChaosInvariants(verdict, { ids: pump.ids, allowedDeadReasons: [] });
    },
    SOAK ? 900_000 : 240_000,
  );
});
