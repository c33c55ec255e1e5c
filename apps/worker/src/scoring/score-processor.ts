import { AlipayError, ModelUnknown } from "@riskq/alipay";
import { type DegradedReason, type ScoreJobResult, scoreJobDataSchema } from "@riskq/contracts";
import { BudgetExhausted } from "@riskq/cost";
import {
  type AttemptRecord,
  BatcherClosedError,
  type CallbackQueue,
  type CircuitBreaker,
  CircuitOpenError,
  coalescedRecords,
  completedDelivery,
  completedRecord,
  deadMessage,
  decideRetry,
  enqueueCallback,
  findQueuedResult,
  ItemWithdrawn,
  type MicroBatcher,
  type OutcomeRecords,
  type ScoreJobDataWithHistory,
  startedAt,
} from "@riskq/pipeline";
import { traceCarrierOf } from "@riskq/tracing";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import type { BatchItem } from "../batching/batch-call";
import type { CallLatency } from "../batching/call-latency";
import { type BudgetWaitOptions, decideBudget } from "../budget/budget-wait";
import type { PrefilterStep } from "../prefilter/prefilter-step";
import type { AuditRescore } from "./audit-rescore";
import { type DeadlineOptions, decideAtDeadline } from "./deadline-policy";
import { degradedReasonOf } from "./degraded-reason";
import { startJobDeadline } from "./job-deadline";
import { type ModelRouting, routeModel } from "./model-route";
import { modelUnknownReason } from "./model-unknown-reason";

export interface ScoreProcessorOptions {
  batcher: MicroBatcher<BatchItem, ScoreJobResult>;
  breaker: CircuitBreaker;
  maxAttempts: number;
  /** How a job no remote score can reach in time is decided (docs/pipeline.md, "Deadlines"). */
  deadline: DeadlineOptions;
  /** Recent call times: no call is started for a job with less time left than their median. */
  callLatency: CallLatency;
  /** How long a job may keep waiting on 429s or an open circuit before it dead-letters (default 1 h). */
  maxRateLimitWaitMs: number;
  /** Where jobs with a `callback_url` queue their result's callback; without it none is sent. */
  callbacks?: CallbackQueue;
  /** Degraded-model handling (fallback or `model_flatline`); without it every model is used as asked. */
  models?: ModelRouting;
  /** ALIPAY_MODEL_VERSION: Alipay not knowing it is `model_retired`; not knowing a caller's own pin is theirs. */
  defaultModelVersion?: string;
  /** Jobs the budget guard stops wait or dead-letter as `budget_exhausted`; none: no budget. */
  budget?: BudgetWaitOptions;
  /** Step 2, the local pre-filter (docs/prefilter.md, "Pre-filter"); none: every job goes to Alipay. */
  prefilter?: PrefilterStep;
  /** RISKQ_RESCORE_DEGRADED: degraded decisions are scored remotely later, for audit; none: not. */
  audit?: AuditRescore;
  /** Idempotency records (RISKQ_IDEMPOTENCY_TTL): a finished job's outcome outlives the job; none: not kept. */
  outcomes?: OutcomeRecords;
  now?: () => number;
}

const MAX_HISTORY = 50;

/**
 * What one `score` job does: re-validate, let the pre-filter decide a clear case, then try for a
 * remote score — joining a micro-batch, waiting (without spending attempts) while the circuit is open
 * or Alipay answers 429, retrying — for as long as an answer can still arrive before the job's
 * deadline. When none can, the job is decided at once by its deadline policy (local verdict, allow,
 * review or expire), never after the deadline; otherwise it ends as a result or a dead letter with a
 * reason. BullMQ calls it with the job's lock token, needed to delay the job.
 */
export function createScoreProcessor(options: ScoreProcessorOptions) {
  const now = options.now ?? Date.now;
  // The jobs of one batch finish together: their records are written in one round trip.
  const remember = options.outcomes && coalescedRecords(options.outcomes);

  return async (
    job: Job<ScoreJobDataWithHistory, ScoreJobResult>,
    token?: string,
  ): Promise<ScoreJobResult> => {
    // Payloads are checked again on dequeue: a job written by an older producer must not reach Alipay.
    const parsed = scoreJobDataSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(deadMessage("invalid_payload", "invalid_payload", parsed.error.message));
    }
    let data = parsed.data;
    let attemptsMade = job.attemptsMade;

    const callbackUrl = data.request.callback_url;
    const callbacks = callbackUrl === undefined ? undefined : options.callbacks;
    const redrives = job.data.redrive_count ?? 0;
    // A redriven job's decision time counts from its redrive, as does its budget.
    const askedAt = startedAt(job.data);
    // A run that is not the job's first may follow one that died after queuing the callback: answer
    // with that result so the callback and the job's return value agree (one GET, re-runs only).
    if (callbacks && job.attemptsStarted > 1) {
      const earlier = await findQueuedResult(callbacks, job.id!, redrives);
      if (earlier) return earlier;
    }
    // The callback is queued *before* the result is returned: BullMQ marks the job completed only
    // after this function returns, so a crash in between leaves the job active, it stalls and runs
    // again, and the add is repeated (a no-op if it had happened) — at least once. Queuing it from the
    // `completed` event instead would lose it whenever the process died between the two.
    //
    // The idempotency record is written here for the same reason: it exists before the job can be
    // completed (and later removed by retention), so a duplicate never finds neither. A re-run
    // rewrites it, and the newest version is the one read. Audit re-scores are internal: no record.
    const finish = async (result: ScoreJobResult): Promise<ScoreJobResult> => {
      const finishedAt = now();
      const decided = { ...result, decided_in_ms: Math.max(0, finishedAt - askedAt) };
      if (remember && data.audit_of === undefined) {
        await remember(job.id!, completedRecord(decided, finishedAt), finishedAt);
      }
      if (options.audit && data.audit_of !== undefined) await options.audit.store(data.audit_of, decided);
      else if (options.audit && decided.degraded) await options.audit.schedule(job.id!, data);
      if (callbacks && callbackUrl) {
        const delivery = completedDelivery(job.id!, callbackUrl, decided, data.submitted_by);
        await enqueueCallback(callbacks, delivery, redrives);
      }
      return decided;
    };
    const decideNow = async (reason: DegradedReason) =>
      finish(await decideAtDeadline(options.deadline, data, reason, attemptsMade));

    const deadline = startJobDeadline(data.deadline_at - options.deadline.marginMs, now);
    try {
      if (!deadline.fits(now(), 0)) return await decideNow("deadline");

      // Step 2: a clear case is decided locally, before it takes a batch slot, a permit or money.
      // An audit is for Alipay's verdict: never decided locally.
      const step = data.audit_of === undefined ? options.prefilter : undefined;
      const request = data.request;
      const verdict = await step?.judge(request);
      const local = step && verdict ? await step.decided(verdict, request, attemptsMade) : undefined;
      if (local) return await finish(local);
      // Alipay cannot be reached (open circuit, exhausted budget): the pre-filter may answer, marked degraded.
      const fallback = async (reason: DegradedReason) => {
        const degraded = step && verdict ? await step.degraded(verdict, request, attemptsMade) : undefined;
        return degraded && finish({ ...degraded, degraded_reason: reason });
      };

      // Before any waiting: a job for a flatlined model must not sit out a 429 storm only to die.
      if (options.models) data = await routeModel(data, options.models);

      /**
       * Waits `delayMs` without spending an attempt, if an answer can still come in time after it:
       * here when the deadline is near, in BullMQ's delayed set when it is far. Otherwise the job is
       * decided now by its deadline policy (the reason: what it would have waited for).
       */
      const waitOr = async (
        delayMs: number,
        code: string,
        cause: unknown,
      ): Promise<ScoreJobResult | undefined> => {
        if (job.data.history?.at(-1)?.code !== code) await record(job, code, now());
        if (!deadline.fits(now() + delayMs, options.callLatency.medianMs())) {
          return decideNow(degradedReasonOf(cause));
        }
        if (deadline.near())
          return (await deadline.wait(delayMs)) ? undefined : decideNow(degradedReasonOf(cause));
        await job.moveToDelayed(Math.round(now() + delayMs), token);
        throw new DelayedError();
      };

      const overBudget = async (stop: BudgetExhausted) => {
        const decision = decideBudget(stop, options.budget!, job.data.history, now());
        if (decision.kind === "wait") return waitOr(decision.delayMs, decision.code, stop);
        await record(job, decision.code, now());
        throw new UnrecoverableError(deadMessage("budget_exhausted", decision.code, decision.message));
      };

      for (;;) {
        if (options.breaker.isOpen()) {
          const openError = new CircuitOpenError(options.breaker.openUntil() ?? now() + 1_000, now());
          const answer =
            (await fallback("circuit_open")) ??
            (await waitOr(jittered(openError.retryAfterMs, deadline.near()), "circuit_open", openError));
          if (answer) return answer;
          continue;
        }
        // An exhausted budget (cached a second) stops the job before it takes a batch slot or a permit.
        const stop = await options.budget?.guard.exhaustion(data.request.merchant_id);
        if (stop) {
          const answer = (stop.exhausted ? await fallback("budget") : undefined) ?? (await overBudget(stop));
          if (answer) return answer;
          continue;
        }

        try {
          // The verdict travels with the item: the cost ledger counts what each kind of verdict costs remotely.
          const prefilterBucket = step && verdict ? step.bucketOf(verdict) : undefined;
          // The job's span travels with the item: the batch's call links to it (README: Tracing).
          const trace = traceCarrierOf();
          const result = await options.batcher.submit(
            {
              data,
              attempts: attemptsMade + 1,
              prefilterBucket,
              ...(trace ? { trace } : {}),
            },
            { signal: deadline.signal },
          );
          if (step && verdict) step.scoredRemotely(verdict, result);
          return await finish(result);
        } catch (err) {
          if (err instanceof ItemWithdrawn) return await decideNow(degradedReasonOf(err));
          // The circuit opened or the budget ran out while the job was in its batch.
          if (err instanceof CircuitOpenError || (err instanceof BudgetExhausted && err.exhausted)) {
            const degraded = await fallback(degradedReasonOf(err));
            if (degraded) return degraded;
          }
          if (err instanceof BudgetExhausted && options.budget) {
            const answer = await overBudget(err);
            if (answer) return answer;
            continue;
          }
          // Shutting down: leave the job to another worker right away.
          if (err instanceof BatcherClosedError) {
            await job.moveToDelayed(now() + 50, token);
            throw new DelayedError();
          }
          const code = err instanceof AlipayError || err instanceof CircuitOpenError ? err.code : "error";
          const decision = decideRetry(err, attemptsMade, {
            maxAttempts: options.maxAttempts,
            waitedMs: waitedMs(job, now()),
            maxWaitMs: options.maxRateLimitWaitMs,
          });
          if (decision.kind === "dead") {
            await record(job, code, now());
            const message = err instanceof Error ? err.message : String(err);
            const reason =
              err instanceof ModelUnknown
                ? await modelUnknownReason(parsed.data.request.model_version, {
                    defaultModelVersion: options.defaultModelVersion,
                    models: options.models,
                  })
                : decision.reason;
            throw new UnrecoverableError(deadMessage(reason, code, message));
          }
          // 429s, an open circuit and our own batch cap are not the job's fault: waiting spends no attempt.
          if (decision.kind === "wait" || !decision.consumesAttempt) {
            const answer = await waitOr(decision.delayMs, code, err);
            if (answer) return answer;
            continue;
          }
          // A retry that spends an attempt: here, at once, when the deadline is near (BullMQ's own
          // backoff could not be made to respect it); else through BullMQ's jittered backoff.
          if (!deadline.near()) {
            await record(job, code, now());
            throw err;
          }
          const answer = await waitOr(decision.delayMs, code, err);
          if (answer) return answer;
          attemptsMade += 1;
        }
      }
    } finally {
      deadline.dispose();
    }
  };
}

/**
 * Spreads waiting jobs over a second so they do not all wake at the same instant; over 100 ms only
 * when their deadline is near (every millisecond of it counts, and they wait in-process anyway).
 */
function jittered(delayMs: number, near: boolean): number {
  return delayMs + Math.floor(Math.random() * (near ? 100 : 1_000));
}

async function record(job: Job<ScoreJobDataWithHistory>, code: string, at: number): Promise<void> {
  const history: AttemptRecord[] = [...(job.data.history ?? []), { at, code }].slice(-MAX_HISTORY);
  await job.updateData({ ...job.data, history });
}

const WAIT_CODES = new Set(["rate_limited", "circuit_open"]);

/** How long ago this job first had to wait on 429s or an open circuit. */
function waitedMs(job: Job<ScoreJobDataWithHistory>, now: number): number {
  const firstWait = job.data.history?.find((h) => WAIT_CODES.has(h.code))?.at;
  return firstWait === undefined ? 0 : now - firstWait;
}
