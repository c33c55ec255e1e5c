import { type DeadLetter, type DeadLetterReason, isScoreJobId, merchantOfJobId } from "@riskq/contracts";
import type { Job } from "bullmq";
import { deadDelivery } from "../callbacks/callback-payload";
import { deadRecord } from "../outcomes/outcome-encoding";
import type { OutcomeRecords } from "../outcomes/outcome-records";
import { type CallbackQueue, enqueueCallback } from "../queues/callback-queue";
import type { DeadLetterQueue, ScoreQueue } from "../queues/score-queues";
import { parseDeath } from "./dead-reason";
import { redrivenData, type ScoreJobDataWithHistory } from "./redrive";

export interface DeadLetterCaps {
  maxCount: number;
  maxAgeMs: number;
}

/** What else happens when a dead letter is written (kept as callbacks: the pipeline knows no alerting). */
export interface DeadLetterHooks {
  /**
   * Runs before the dead letter is written, so a crash in between cannot lose what it does (an
   * alert): the reconciler then records the letter again and calls this again. It must therefore
   * be idempotent for the same letter; if it throws, nothing is written and the reconciler retries.
   */
  onDeadLetter?: (letter: DeadLetter) => Promise<void>;
}

/**
 * The merchants an operation may see (an API key limited to some merchants); undefined: all.
 * A dead letter belongs to the merchant its job id starts with.
 */
export type MerchantFilter = readonly string[] | undefined;

const ofMerchants = (merchants: MerchantFilter) => (jobId: string) =>
  merchants === undefined || merchants.includes(merchantOfJobId(jobId) ?? "");

/** Defaults: 10 000 dead letters, 30 days (docs/architecture.md, "Dead letters"). */
export const DEAD_LETTER_CAPS: DeadLetterCaps = { maxCount: 10_000, maxAgeMs: 30 * 86_400_000 };

/**
 * The dead-letter queue's operations. A job first fails in `score` (its failedReason says why), then
 * gets its dead letter here; writing is idempotent (same id), so the reconciler can repeat it after a
 * crash between the two steps and nothing is lost or doubled.
 */
export class DeadLetterStore {
  constructor(
    private readonly score: ScoreQueue,
    private readonly dead: DeadLetterQueue,
    private readonly caps: DeadLetterCaps = DEAD_LETTER_CAPS,
    /** Where dead jobs with a `callback_url` announce their death; without it none is sent. */
    private readonly callbacks?: CallbackQueue,
    private readonly hooks: DeadLetterHooks = {},
    /**
     * Idempotency records (docs/pipeline.md, "Idempotency"): a dead job's is written with its dead letter and
     * deleted by a purge; without it none are kept.
     */
    private readonly outcomes?: OutcomeRecords,
  ) {}

  /**
   * Writes the dead letter of a failed `score` job (no-op when it exists), queuing its callback first:
   * a dead letter that exists means its callback was queued, so the reconciler, which only revisits
   * jobs without one, can never skip a callback lost to a crash between the two writes. The
   * `onDeadLetter` hook (the dead-letter alert) runs first of all, for the same reason.
   */
  async record(job: Job<ScoreJobDataWithHistory>, now: number = Date.now()): Promise<DeadLetter> {
    const existing = await this.dead.getJob(job.id!);
    if (existing) return existing.data;
    const death = parseDeath(job.failedReason);
    const letter: DeadLetter = {
      source_queue: this.score.name,
      job_id: job.id!,
      payload: job.data.request,
      reason: death.reason,
      last_error: { code: death.code, message: death.message },
      attempts: job.data.history ?? [],
      first_seen: job.data.enqueued_at ?? job.timestamp,
      dead_at: job.finishedOn ?? now,
      redrive_count: job.data.redrive_count ?? 0,
    };
    await this.hooks.onDeadLetter?.(letter);
    // Before the letter, like the callback: an existing letter means the record was written too.
    await this.outcomes?.remember(
      [{ id: letter.job_id, record: deadRecord(letter.reason, letter.dead_at) }],
      now,
    );
    // A dead job's payload may be the invalid one: only a string is worth handing to the deliverer.
    const callbackUrl: unknown = job.data.request?.callback_url;
    if (this.callbacks && typeof callbackUrl === "string") {
      // Signed for the key that submitted the job, as its completion would have been.
      const delivery = deadDelivery(callbackUrl, letter, job.data.submitted_by);
      await enqueueCallback(this.callbacks, delivery, letter.redrive_count);
    }
    await this.dead.add(death.reason, letter, { jobId: job.id! });
    return letter;
  }

  /** Failed `score` jobs that have no dead letter yet (a crash between failing and recording). */
  async reconcile(limit = 1_000): Promise<number> {
    let recorded = 0;
    for (const job of await this.score.getFailed(0, limit - 1)) {
      if (!(await this.dead.getJob(job.id!))) {
        await this.record(job as Job<ScoreJobDataWithHistory>);
        recorded += 1;
      }
    }
    return recorded;
  }

  /**
   * The dead letter of a job id; undefined for an id no score job can have. Every method taking ids
   * from outside checks them first: `getJob("meta")` reads BullMQ's own hash as a job (and `events`,
   * a stream, throws), so an unchecked id could show, redrive or delete what is not a dead letter.
   */
  async get(id: string): Promise<DeadLetter | undefined> {
    if (!isScoreJobId(id)) return undefined;
    return (await this.dead.getJob(id))?.data;
  }

  /** Newest first, optionally of one reason, of some merchants only (counted in `total` likewise). */
  async list(
    options: { reason?: DeadLetterReason; offset?: number; limit?: number; merchants?: MerchantFilter } = {},
  ) {
    const all = (await this.dead.getJobs(["waiting"], 0, this.caps.maxCount)).map((j) => j.data);
    const visible = ofMerchants(options.merchants);
    const matching = all
      .filter((d) => (!options.reason || d.reason === options.reason) && visible(d.job_id))
      .sort((a, b) => b.dead_at - a.dead_at);
    const offset = options.offset ?? 0;
    return { total: matching.length, items: matching.slice(offset, offset + (options.limit ?? 50)) };
  }

  /**
   * Sends dead jobs back to `score` with their attempts reset, counting the redrive. Returns the ids
   * redriven; ids that are not dead are skipped. The job's idempotency record (dead) is left as it
   * is: a live job always wins over a record, and the redriven job writes its own when it ends.
   */
  async redrive(ids: readonly string[]): Promise<string[]> {
    return this.redriveJobs(ids.filter(isScoreJobId));
  }

  /** `redrive` of ids read from the dead-letter queue itself (trusted, whatever their shape). */
  private async redriveJobs(ids: readonly string[]): Promise<string[]> {
    const done: string[] = [];
    for (const id of ids) {
      const letter = await this.dead.getJob(id);
      const job = (await this.score.getJob(id)) as Job<ScoreJobDataWithHistory> | undefined;
      if (!letter || !job || !(await job.isFailed())) continue;
      await job.updateData(redrivenData(job.data, Date.now()));
      await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      await letter.remove();
      done.push(id);
    }
    return done;
  }

  async redriveReason(reason: DeadLetterReason, merchants?: MerchantFilter): Promise<string[]> {
    const { items } = await this.list({ reason, limit: this.caps.maxCount, merchants });
    return this.redriveJobs(items.map((d) => d.job_id));
  }

  /**
   * Deletes dead letters for good, with their failed `score` jobs (an operator's purge). Returns the
   * ids purged; ids without a dead letter (or that cannot be job ids) are skipped, so repeating a purge is harmless. Afterwards
   * the job id is free again: the same request enqueued anew is a new job, not a duplicate (its
   * idempotency record goes too).
   */
  async purge(ids: readonly string[]): Promise<string[]> {
    return this.purgeJobs(ids.filter(isScoreJobId));
  }

  /**
   * `purge` of ids read from the dead-letter queue itself: trusted whatever their shape, so a letter
   * of a job a broken producer named oddly still goes with its reason.
   */
  private async purgeJobs(ids: readonly string[]): Promise<string[]> {
    const done: string[] = [];
    for (const id of ids) {
      const letter = await this.dead.getJob(id);
      if (!letter) continue;
      // Only a failed job is the letter's; a job with this id in another state is someone's new work.
      const job = await this.score.getJob(id);
      if (job && (await job.isFailed())) await job.remove();
      await this.outcomes?.forget([id], Date.now());
      await letter.remove();
      done.push(id);
    }
    return done;
  }

  async purgeReason(reason: DeadLetterReason, merchants?: MerchantFilter): Promise<string[]> {
    const { items } = await this.list({ reason, limit: this.caps.maxCount, merchants });
    return this.purgeJobs(items.map((d) => d.job_id));
  }

  /** Drops dead letters past the caps (oldest first), with their failed `score` jobs. */
  async trim(now: number = Date.now()): Promise<number> {
    const all = (await this.dead.getJobs(["waiting"], 0, -1)).sort((a, b) => b.data.dead_at - a.data.dead_at);
    const doomed = all.filter((j, i) => i >= this.caps.maxCount || now - j.data.dead_at > this.caps.maxAgeMs);
    for (const j of doomed) {
      await (await this.score.getJob(j.id!))?.remove();
      await j.remove();
    }
    return doomed.length;
  }
}
