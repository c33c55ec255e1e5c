import { randomBytes } from "node:crypto";
import {
  type DeadLetter,
  type DeadLetterReason,
  QUEUES,
  type ScoreRequestBody,
  scoreJobId,
} from "@riskq/contracts";
import { createDeadLetterQueue, createScoreQueue, DeadLetterStore, deadMessage } from "@riskq/pipeline";
import { UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";

const MERCHANT_ID = "2088000000000001";

/** A card fingerprint (64 hex characters) and how the board must show it. */
export function fingerprint(): { raw: string; masked: string } {
  const raw = randomBytes(32).toString("hex");
  return { raw, masked: `${raw.slice(0, 6)}…${raw.slice(-4)}` };
}

/** A card-risk request as services send it. */
export function cardRiskRequest(itemId: string, cardFingerprint: string): ScoreRequestBody {
  return {
    task: "card_risk",
    item_id: itemId,
    merchant_id: MERCHANT_ID,
    amount: "128.50",
    currency: "CNY",
    card_fingerprint: cardFingerprint,
    occurred_at: "2026-11-20T10:00:00+08:00",
  };
}

/**
 * Kills a `score` job the way apps/worker does — the job fails with an UnrecoverableError naming its
 * reason, then `DeadLetterStore.record` writes its dead letter to `score-dead` — and returns the letter.
 * `request` is stored as given (a dead job's payload may be anything: it may be why it died).
 */
export async function deadLetterJob(options: {
  redisUrl?: string | undefined;
  prefix: string;
  request: Record<string, unknown> & { merchant_id: string; item_id: string };
  reason: DeadLetterReason;
  message: string;
}): Promise<DeadLetter> {
  const connection = new Redis(options.redisUrl ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  const score = createScoreQueue({ connection, prefix: options.prefix });
  const dead = createDeadLetterQueue({ connection, prefix: options.prefix });
  // No processor and no autorun: this test takes the one job and fails it by hand, deterministically.
  const worker = new Worker(QUEUES.score, undefined, { connection, prefix: options.prefix, autorun: false });
  try {
    const jobId = scoreJobId(options.request.merchant_id, options.request.item_id);
    const now = Date.now();
    await score.add(
      "score",
      { request: options.request as ScoreRequestBody, enqueued_at: now, deadline_at: now + 2_000 },
      { jobId },
    );
    const token = randomBytes(8).toString("hex");
    const taken = await worker.getNextJob(token);
    if (taken?.id !== jobId) throw new Error(`expected to take ${jobId}, got ${taken?.id}`);
    await taken.moveToFailed(
      new UnrecoverableError(deadMessage(options.reason, "fixture", options.message)),
      token,
      false,
    );
    const failed = await score.getJob(jobId);
    if (!failed || !(await failed.isFailed())) throw new Error(`${jobId} did not fail`);
    return await new DeadLetterStore(score, dead).record(failed);
  } finally {
    await worker.close();
    await Promise.all([score.close(), dead.close()]);
    await connection.quit();
  }
}
