import { AlipayError } from "@riskq/alipay";
import { type ScoreJobResult, scoreJobDataSchema } from "@riskq/contracts";
import { BudgetExhausted } from "@riskq/cost";
import {
  type AttemptRecord,
  BatcherClosedError,
  type CallbackQueue,
  type CircuitBreaker,
  CircuitOpenError,
  completedDelivery,
  deadMessage,
  decideRetry,
  enqueueCallback,
  findQueuedResult,
  type MicroBatcher,
  type ScoreJobDataWithHistory,
} from "@riskq/pipeline";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import type { BatchItem } from "./batch-call";
import { type BudgetWaitOptions, decideBudget } from "./budget-wait";
import { expiredResult } from "./job-result";
import { type ModelRouting, routeModel } from "./model-route";
import type { PrefilterStep } from "./prefilter-step";

export interface ScoreProcessorOptions {
  batcher: MicroBatcher<BatchItem, ScoreJobResult>;
  breaker: CircuitBreaker;
  maxAttempts: number;
  /** Past its deadline a job completes as `expired` (default) or dead-letters as `expired`. */
  expiredPolicy: "complete" | "dead-letter";
  /** How long a job may keep waiting on 429s or an open circuit before it dead-letters (default 1 h). */
  maxRateLimitWaitMs: number;
  /** Where jobs with a `callback_url` queue their result's callback; without it none is sent. */
  callbacks?: CallbackQueue;
  /** Degraded-model handling (fallback or `model_flatline`); without it every model is used as asked. */
  models?: ModelRouting;
  /** Jobs the budget guard stops wait or dead-letter as `budget_exhausted`; none: no budget. */
  budget?: BudgetWaitOptions;
  /** Step 2, the local pre-filter (README: Pre-filter); none: every job goes to Alipay. */
  prefilter?: PrefilterStep;
  now?: () => number;
}

const MAX_HISTORY = 50;

/**
 * What one `score` job does: re-validate, honour its deadline, let the pre-filter decide a clear case,
 * wait (without spending attempts) while the circuit is open or Alipay answers 429, join a
 * micro-batch, and end as a result, a retry, or a dead letter with a reason. BullMQ calls it with the job's lock token, needed to delay the job.
 */
export function createScoreProcessor(options: ScoreProcessorOptions) {
  const now = options.now ?? Date.now;

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
    const attempts = job.attemptsMade + 1;

    const callbackUrl = data.request.callback_url;
    const callbacks = callbackUrl === undefined ? undefined : options.callbacks;
    const redrives = job.data.redrive_count ?? 0;
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
    const finish = async (result: ScoreJobResult): Promise<ScoreJobResult> => {
      if (callbacks && callbackUrl) {
        await enqueueCallback(callbacks, completedDelivery(job.id!, callbackUrl, result), redrives);
      }
      return result;
    };

    if (now() > data.deadline_at) {
      if (options.expiredPolicy === "complete") {
        return finish(expiredResult(data.request.item_id, job.attemptsMade));
      }
      throw new UnrecoverableError(
        deadMessage("expired", "deadline_passed", "the job's deadline passed before it was scored"),
      );
    }

    // Step 2: a clear case is decided locally, before it takes a batch slot, a permit or money.
    const step = options.prefilter;
    const request = data.request;
    const verdict = await step?.judge(request);
    const local = step && verdict ? await step.decided(verdict, request, job.attemptsMade) : undefined;
    if (local) return finish(local);
    // Alipay cannot be reached (open circuit, exhausted budget): the pre-filter may answer, marked degraded.
    const fallback = async () =>
      step && verdict ? step.degraded(verdict, request, job.attemptsMade) : undefined;

    // Before any waiting: a job for a flatlined model must not sit out a 429 storm only to die.
    if (options.models) data = await routeModel(data, options.models);

    const waitUntil = async (when: number, code: string): Promise<never> => {
      // A run of waits for the same cause is one history entry: its time is when the waiting began.
      if (job.data.history?.at(-1)?.code !== code) await record(job, code, now());
      await job.moveToDelayed(Math.round(when), token);
      throw new DelayedError();
    };

    if (options.breaker.isOpen()) {
      const degraded = await fallback();
      if (degraded) return finish(degraded);
      await waitUntil(jittered(options.breaker.openUntil() ?? now() + 1_000), "circuit_open");
    }

    const overBudget = async (stop: BudgetExhausted): Promise<never> => {
      const decision = decideBudget(stop, options.budget!, job.data.history, now());
      if (decision.kind === "wait") return waitUntil(now() + decision.delayMs, decision.code);
      await record(job, decision.code, now());
      throw new UnrecoverableError(deadMessage("budget_exhausted", decision.code, decision.message));
    };
    // An exhausted budget (cached a second) stops the job before it takes a batch slot or a permit.
    const stop = await options.budget?.guard.exhaustion(data.request.merchant_id);
    if (stop) {
      const degraded = stop.exhausted ? await fallback() : undefined;
      if (degraded) return finish(degraded);
      await overBudget(stop);
    }

    let result: ScoreJobResult;
    try {
      // The verdict travels with the item: the cost ledger counts what each kind of verdict costs remotely.
      const prefilterBucket = step && verdict ? step.bucketOf(verdict) : undefined;
      result = await options.batcher.submit({
        data,
        attempts,
        ...(prefilterBucket === undefined ? {} : { prefilterBucket }),
      });
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      // The circuit opened or the budget ran out while the job was in its batch.
      if (err instanceof CircuitOpenError || (err instanceof BudgetExhausted && err.exhausted)) {
        const degraded = await fallback();
        if (degraded) return finish(degraded);
      }
      if (err instanceof BudgetExhausted && options.budget) return overBudget(err);
      // Shutting down: leave the job to another worker right away.
      if (err instanceof BatcherClosedError) return waitUntil(now() + 50, "worker_shutdown");
      const code = err instanceof AlipayError || err instanceof CircuitOpenError ? err.code : "error";
      const decision = decideRetry(err, job.attemptsMade, {
        maxAttempts: options.maxAttempts,
        waitedMs: waitedMs(job, now()),
        maxWaitMs: options.maxRateLimitWaitMs,
      });
      // 429s, an open circuit and our own batch cap are not the job's fault: waiting spends no attempt.
      if (decision.kind === "wait" || (decision.kind === "retry" && !decision.consumesAttempt)) {
        return waitUntil(now() + decision.delayMs, code);
      }
      await record(job, code, now());
      const message = err instanceof Error ? err.message : String(err);
      if (decision.kind === "dead") throw new UnrecoverableError(deadMessage(decision.reason, code, message));
      throw err; // retry: BullMQ applies the worker's jittered backoffStrategy and counts the attempt
    }
    if (step && verdict) step.scoredRemotely(verdict, result);
    return finish(result);
  };
}

/** Spreads waiting jobs over a second so they do not all wake at the same instant. */
function jittered(when: number): number {
  return when + Math.floor(Math.random() * 1_000);
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
