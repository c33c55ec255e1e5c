import {
  API_PATHS,
  type DeadLetterReason,
  QUEUES,
  scoreJobResultSchema,
  type TokenResponse,
} from "@riskq/contracts";
import { deadMessage, REDRIVE_MIN_BUDGET_MS } from "@riskq/pipeline";
import { type SandboxProcess, signedRequest } from "@riskq/testing";
import { UnrecoverableError, Worker } from "bullmq";
import { describe, expect, it } from "vitest";
import {
  eventually,
  historyOf,
  type ScoreJob,
  trafficOf,
  useWorkerKit,
  type WorkerKit,
} from "./support/worker-harness";

const suite = useWorkerKit();

/**
 * A rogue second authorisation of the merchant replays its refresh token: the remote revokes every
 * token of the merchant, including the ones the worker holds (OAuth refresh-token reuse detection).
 */
async function revokeBehindTheWorkersBack(sandbox: SandboxProcess, merchantId: string): Promise<void> {
  const exchange = (body: object) =>
    signedRequest<TokenResponse>({
      baseUrl: sandbox.url,
      method: "POST",
      path: API_PATHS.authToken,
      body,
      appId: sandbox.appId,
      appPrivateKey: sandbox.appPrivateKey,
    });
  const code = await sandbox.control.newAuthCode(merchantId);
  const grant = await exchange({ grant_type: "authorization_code", code });
  const refresh = { grant_type: "refresh_token", refresh_token: grant.json.app_refresh_token };
  expect((await exchange(refresh)).status).toBe(200);
  expect((await exchange(refresh)).status).toBe(400);
  expect((await sandbox.control.ledger()).revocations).toBe(1);
}

/** Every failed job has a dead letter of the same id, with the reason, the payload and the history. */
async function expectDeadLetter(kit: WorkerKit, job: ScoreJob, reason: DeadLetterReason, code: string) {
  expect(await job.isFailed()).toBe(true);
  const letter = await kit.deadLetters.get(job.id!);
  expect(letter, `dead letter of ${job.id}`).toBeDefined();
  expect(letter).toMatchObject({ source_queue: QUEUES.score, job_id: job.id, reason, redrive_count: 0 });
  expect(letter!.last_error.code).toBe(code);
  expect(letter!.last_error.message.length).toBeGreaterThan(0);
  expect(letter!.payload).toEqual(job.data.request);
  return letter!;
}

describe("dead letters", () => {
  it("dead-letters what can never succeed, each with its reason, last error, history and payload", async () => {
    // A version only the caller pinned, unknown to Alipay and to this worker, is the caller's mistake
    // (invalid_payload); model_retired, which pages operators, is for versions riskq knew.
    const { kit, sandbox } = suite;
    const { merchantIds, requests } = trafficOf(707, 4, 80);
    const [healthy, unknownModel, revoked, neverOnboarded] = merchantIds as [string, string, string, string];
    await kit.onboard(healthy, unknownModel, revoked);
    await revokeBehindTheWorkersBack(sandbox, revoked);
    const pinned = requests.map((r) =>
      r.merchant_id === unknownModel ? { ...r, model_version: "risk-v1-2020-01" } : r,
    );
    const ids = await kit.enqueue(pinned);
    // A job written by a broken producer (a job-shaped id, data without a merchant): the worker
    // re-validates on dequeue.
    await kit.scoreQueue.add("bad", { request: { item_id: "no-merchant" } } as never, {
      jobId: "2088000000000999-bad-payload",
    });
    await kit.startWorker();

    const { completed, failed } = await kit.settle(ids.length + 1);
    // Nothing is lost: every job is completed or dead, and every dead one has exactly one letter.
    expect(completed.length + failed.length).toBe(ids.length + 1);
    expect(await kit.deadQueue.count()).toBe(failed.length);
    const merchantOf = (job: ScoreJob) => job.data.request?.merchant_id;
    expect(completed.every((j) => merchantOf(j) === healthy)).toBe(true);
    expect(completed).toHaveLength(requests.filter((r) => r.merchant_id === healthy).length);
    for (const job of completed) expect(scoreJobResultSchema.parse(job.returnvalue).source).toBe("remote");

    for (const job of failed) {
      if (job.id === "2088000000000999-bad-payload") {
        await expectDeadLetter(kit, job, "invalid_payload", "invalid_payload");
      } else if (merchantOf(job) === unknownModel) {
        const letter = await expectDeadLetter(kit, job, "invalid_payload", "model_unknown");
        expect(letter.last_error.message).toContain("risk-v1-2020-01");
        expect(historyOf(job)).toEqual(["model_unknown"]);
      } else {
        expect([revoked, neverOnboarded]).toContain(merchantOf(job));
        await expectDeadLetter(kit, job, "auth_revoked", "auth_revoked");
        expect(historyOf(job)).toEqual(["auth_revoked"]);
      }
      // Not retryable: dead on the first attempt.
      expect(job.attemptsMade).toBe(1);
    }
    const deadMerchants = new Set(failed.map(merchantOf));
    expect(deadMerchants).toEqual(new Set([unknownModel, revoked, neverOnboarded, undefined]));
    const ledger = await sandbox.control.ledger();
    expect(ledger.by_code["invalid-model-version"]).toBeGreaterThan(0);
    expect(ledger.by_code["invalid-app-auth-token"]).toBeGreaterThan(0);
  });

  it("scores a redriven dead letter again with a fresh time budget once its first deadline has passed", async () => {
    const { kit } = suite;
    const { merchantIds, requests } = trafficOf(606, 1, 5);
    const firstDeadline = Date.now() + 2_000;
    const ids = await kit.enqueue(requests, { deadlineAt: firstDeadline });
    await kit.startWorker();
    // Not onboarded yet: every job dies as auth_revoked, before its deadline.
    const dead = await kit.settle(ids.length);
    expect(dead.failed).toHaveLength(ids.length);
    await kit.onboard(...merchantIds);
    while (Date.now() <= firstDeadline) await new Promise((resolve) => setTimeout(resolve, 100));

    const redrivenAt = Date.now();
    expect(await kit.deadLetters.redrive(ids)).toHaveLength(ids.length);
    const { completed, failed } = await kit.settle(ids.length);
    expect(failed).toHaveLength(0);
    for (const job of completed) {
      // Scored by Alipay, not decided locally at the deadline that had passed.
      const result = scoreJobResultSchema.parse(job.returnvalue);
      expect(result.source).toBe("remote");
      expect(job.data.redrive_count).toBe(1);
      expect(job.data.redriven_at).toBeGreaterThanOrEqual(redrivenAt);
      expect(job.data.deadline_at - job.data.redriven_at!).toBe(REDRIVE_MIN_BUDGET_MS);
      // Its decision time counts from the redrive.
      expect(result.decided_in_ms).toBeLessThanOrEqual(job.finishedOn! - job.data.redriven_at!);
    }
  });

  it("completes a job past its deadline as expired without calling Alipay (deadline policy expire)", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, requests } = trafficOf(808, 1, 10);
    await kit.onboard(...merchantIds);
    const before = await sandbox.control.ledger();
    const ids = await kit.enqueue(requests, { deadlineAt: Date.now() - 1 });
    await kit.startWorker({ onDeadline: "expire" });

    const { completed, failed } = await kit.settle(ids.length);
    expect(failed).toHaveLength(0);
    expect(completed).toHaveLength(10);
    for (const job of completed) {
      const result = scoreJobResultSchema.parse(job.returnvalue);
      expect(result).toMatchObject({ source: "expired", confidence: null, cost_usd: 0, attempts: 0 });
      expect(result.item_id).toBe(job.data.request.item_id);
    }
    expect((await sandbox.control.ledger()).calls).toBe(before.calls);
  });

  it("dead-letters a job past its deadline as expired when so configured", async () => {
    const { kit, sandbox } = suite;
    const { merchantIds, requests } = trafficOf(909, 1, 10);
    await kit.onboard(...merchantIds);
    const before = await sandbox.control.ledger();
    const ids = await kit.enqueue(requests, { deadlineAt: Date.now() - 1 });
    await kit.startWorker({ expiredPolicy: "dead-letter", onDeadline: "expire" });

    const { completed, failed } = await kit.settle(ids.length);
    expect(completed).toHaveLength(0);
    expect(failed).toHaveLength(10);
    for (const job of failed) await expectDeadLetter(kit, job, "expired", "deadline_passed");
    expect((await sandbox.control.ledger()).calls).toBe(before.calls);
  });

  it("dead-letters a job that stalled too often as stalled, and sweeps up jobs failed behind the worker's back", async () => {
    const { kit } = suite;
    const { requests } = trafficOf(1010, 1, 3);
    const [timedOut, rejected, stalled] = await kit.enqueue(requests);
    const connection = kit.connection;
    // A worker that dies between failing a job and recording its dead letter leaves exactly this.
    const crashed = new Worker(QUEUES.score, null, { connection, prefix: kit.prefix, lockDuration: 1_000 });
    for (const [reason, code] of [
      ["timeout", "timeout"],
      ["key_rejected", "key_rejected"],
    ] as const) {
      const job = await crashed.getNextJob(`token-${code}`);
      const error = new UnrecoverableError(
        deadMessage(reason, code, `the ${code} of a worker that then died`),
      );
      await job!.moveToFailed(error, `token-${code}`, false);
    }
    // The third is taken and never finished, so its lock lapses; past maxStalledCount BullMQ marks
    // it to fail, and whichever worker fetches it next fails it outside the processor.
    const abandoned = await crashed.getNextJob("token-abandoned");
    expect(abandoned?.id).toBe(stalled);
    const checker = new Worker(QUEUES.score, null, {
      connection,
      prefix: kit.prefix,
      maxStalledCount: 0,
      stalledInterval: 200,
    });
    await checker.startStalledCheckTimer();
    await eventually("the abandoned job to be found stalled", async () =>
      (await kit.scoreQueue.getJob(stalled!))?.deferredFailure ? true : undefined,
    );
    await Promise.all([checker.close(), crashed.close()]);
    expect(await kit.deadQueue.count()).toBe(0);

    // The worker sweeps at start…
    await kit.startWorker({ sweepEveryMs: 200 });
    expect((await kit.deadLetters.get(timedOut!))?.reason).toBe("timeout");
    expect((await kit.deadLetters.get(timedOut!))?.last_error).toEqual({
      code: "timeout",
      message: "the timeout of a worker that then died",
    });
    expect((await kit.deadLetters.get(rejected!))?.reason).toBe("key_rejected");
    // …fails the stalled job when it fetches it, with its own reason…
    const stalledLetter = await eventually("the stalled job's dead letter", () =>
      kit.deadLetters.get(stalled!),
    );
    expect(stalledLetter.reason).toBe("stalled");
    expect(stalledLetter.last_error.code).toBe("stalled");
    expect(await (await kit.scoreQueue.getJob(stalled!))?.isFailed()).toBe(true);

    // …and keeps sweeping: a dead letter lost later is written again from the failed job.
    await (await kit.deadQueue.getJob(rejected!))?.remove();
    const restored = await eventually("the lost dead letter to be written again", () =>
      kit.deadLetters.get(rejected!),
    );
    expect(restored.reason).toBe("key_rejected");
    expect(await kit.deadQueue.count()).toBe(await kit.scoreQueue.getFailedCount());
    expect(await kit.scoreQueue.getFailedCount()).toBe(3);
  });
});
