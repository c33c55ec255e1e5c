import {
  type AlipayClient,
  BatchTruncated,
  RateLimited,
  type ScoreBatchResult,
  Timeout,
} from "@riskq/alipay";
import type { ScoreJobData, ScoreJobResult } from "@riskq/contracts";
import type { BudgetGuard } from "@riskq/cost";
import type { BatchOutcomes, CallRateLimiter, CircuitBreaker, Permit } from "@riskq/pipeline";
import { context, type TraceCarrier } from "@riskq/tracing";
import { endUnanswered } from "../budget/budget-call";
import type { CostRecorder } from "../budget/cost-recorder";
import { scoredResult } from "../scoring/job-result";
import type { ScoreRecorder } from "../scoring/score-recorder";
import { batchTrace } from "./batch-trace";

/** One job waiting in a micro-batch. */
export interface BatchItem {
  data: ScoreJobData;
  attempts: number;
  /** The pre-filter's verdict on the item (PREFILTER_BUCKETS of @riskq/cost), for the cost simulator. */
  prefilterBucket?: number | undefined;
  /** The job span's context (README: Tracing), serialised: items also travel to other workers' batches. */
  trace?: TraceCarrier;
}

/** Items that may share one remote call: same merchant, task, pinned model and threshold. */
export function batchKey(item: BatchItem): string {
  const r = item.data.request;
  return `${r.merchant_id}|${r.task}|${r.model_version ?? ""}|${r.confidence_threshold ?? ""}`;
}

export interface BatchCallDeps {
  alipay: AlipayClient;
  limiter: CallRateLimiter;
  breaker: CircuitBreaker;
  /** The model pinned when a request names none. */
  defaultModelVersion: string;
  /** Called when the remote answered fewer items than sent, so the cap can follow at once. */
  onTruncated(answered: number): void;
  /** Feeds the answered confidences to the drift windows (never throws); none when absent. */
  recordScores?: ScoreRecorder;
  /**
   * Reserves each call's worst-case cost before it goes (docs/budget-and-cost.md, "Budget"); none: no
   * budget.
   */
  budget?: BudgetGuard;
  /** Books each call's billing (or, for a lost answer, an estimate) in the cost ledger; none when absent. */
  recordCost?: CostRecorder;
  /** The batch cap when the batch left: a batch that reached it was full (for the cost simulator). */
  batchCap?: number;
  /**
   * Deadline bounds of each call: its timeout is the time left until the earliest item must be
   * decided (deadline − `marginMs`); the Alipay client caps it at its own (ALIPAY_CALL_TIMEOUT_MS).
   */
  deadlines?: { marginMs: number; now?: () => number };
  /** Told how long each answered call took (the worker's running median). */
  onCallTime?: (ms: number) => void;
}

/** Every call spends the app-wide bucket; batch/predict also has its own (docs/alipay-ai-api.md §7). */
export const CALL_BUCKETS = ["app", "method"] as const;

/**
 * One batch = one call to Alipay, made with a permit already taken from the shared call-rate limiter
 * (the batcher waits for it while the batch fills), through the circuit breaker. Per item, the job result or
 * the error that item failed with (e.g. SilentDrop for an unanswered one).
 *
 * An item can reach one batch twice: a hand-off to another process's batch repeated by the Redis
 * client after a reconnect (its first reply lost), or one job run by two workers at once after a
 * stalled check. Alipay refuses a call that repeats an item_id as a whole, and every other job in
 * it would die as `invalid_payload` for nothing: each item is sent once, and every copy gets its outcome.
 */
export async function callBatch(
  deps: BatchCallDeps,
  items: readonly BatchItem[],
  permit: Permit,
): Promise<BatchOutcomes<ScoreJobResult>> {
  const firstIndex = new Map<string, number>();
  const unique: BatchItem[] = [];
  for (const item of items) {
    if (firstIndex.has(item.data.request.item_id)) continue;
    firstIndex.set(item.data.request.item_id, unique.length);
    unique.push(item);
  }
  if (unique.length === items.length) return callUniqueBatch(deps, items, permit);
  const outcomes = await callUniqueBatch(deps, unique, permit);
  return items.map((item) => outcomes[firstIndex.get(item.data.request.item_id)!]!);
}

/** `callBatch` for items whose item ids are all different. */
async function callUniqueBatch(
  deps: BatchCallDeps,
  items: readonly BatchItem[],
  permit: Permit,
): Promise<BatchOutcomes<ScoreJobResult>> {
  const first = items[0]!.data.request;
  // The budget guard throws BudgetExhausted, or pays for the first `spend.items` only (the rest wait).
  const spend = await deps.budget?.reserve(first.merchant_id, items.length);
  const sent = spend ? items.slice(0, spend.items) : items;
  let answer: ScoreBatchResult;
  const costKey = { merchantId: first.merchant_id, task: first.task };
  const capBound = items.length >= (deps.batchCap ?? Number.POSITIVE_INFINITY);
  const timeoutMs = callTimeoutMs(deps, sent);
  const traced = batchTrace(sent);
  try {
    answer = await context.with(traced.parent, () =>
      deps.breaker.execute(() =>
        deps.alipay
          .scoreBatch({
            merchantId: first.merchant_id,
            task: first.task,
            modelVersion: first.model_version ?? deps.defaultModelVersion,
            threshold: first.confidence_threshold,
            items: sent.map((i) => itemOf(i.data)),
            // Each job's data was parsed with the strict schema when the job was picked up.
            itemsValidated: true,
            links: traced.links,
            timeoutMs,
          })
          .catch((err: unknown) => {
            throw err instanceof Timeout && cutShort(timeoutMs) ? new CutShortByDeadline(err) : err;
          }),
      ),
    );
  } catch (caught) {
    const err = caught instanceof CutShortByDeadline ? caught.timeout : caught;
    // The request may have reached Alipay and been billed: booked as an estimate, marked so.
    if (err instanceof Timeout && err.operation === "batch predict")
      await deps.recordCost?.lost({
        ...costKey,
        modelVersion: first.model_version ?? deps.defaultModelVersion,
        itemsSent: sent.length,
        capBound,
      });
    if (spend) await endUnanswered(spend, err);
    // A 429 never counts against the job: the limiter slows everybody down instead.
    if (err instanceof RateLimited) await deps.limiter.onThrottled(permit, err.bucket);
    throw err;
  }
  deps.onCallTime?.(answer.latencyMs);
  if (answer.missing instanceof BatchTruncated) deps.onTruncated(answer.missing.answered);
  // The bookkeeping of one answered call goes to Redis at once, not one write after another: the
  // call's items wait for all of it (a crash before it is done leaves them to be run again, never
  // unbooked), and each write would otherwise add a round trip to every item's decision time.
  await Promise.all([
    spend?.billed(answer.billing.total),
    deps.limiter.onSuccess(permit),
    deps.recordCost?.answered({
      ...costKey,
      modelVersion: answer.modelVersion,
      billing: answer.billing,
      itemsSent: sent.length,
      scored: answer.outcomes.flatMap((o, i) =>
        "result" in o
          ? [
              {
                confidence: o.result.confidence,
                flagged: o.result.flagged,
                prefilterBucket: items[i]!.prefilterBucket,
              },
            ]
          : [],
      ),
      capBound,
    }),
    deps.recordScores?.({
      modelVersion: answer.modelVersion,
      task: first.task,
      confidences: answer.outcomes.flatMap((o) => ("result" in o ? [o.result.confidence] : [])),
      modelExpiry: answer.modelExpiry,
    }),
  ]);

  const flaggedInCall = answer.outcomes.filter((o) => "result" in o && o.result.flagged).length;
  const call = {
    modelVersion: answer.modelVersion,
    billing: answer.billing,
    itemsSent: sent.length,
    flaggedInCall,
  };
  const outcomes = answer.outcomes.map((outcome, i) =>
    "result" in outcome ? scoredResult(outcome.result, call, items[i]!.attempts) : outcome.missing,
  );
  return spend?.rest ? [...outcomes, ...items.slice(sent.length).map(() => spend.rest!)] : outcomes;
}

/**
 * A call given less than this that times out says nothing about Alipay's health (its p99 is about
 * 900 ms): the batch's deadline cut it short, and it must not count towards opening the circuit.
 */
const TELLING_TIMEOUT_MS = 1_000;
const cutShort = (timeoutMs: number | undefined) => timeoutMs !== undefined && timeoutMs < TELLING_TIMEOUT_MS;

/** Carries a deadline-shortened call's Timeout past the circuit breaker, which counts only real failures. */
class CutShortByDeadline extends Error {
  constructor(readonly timeout: Timeout) {
    super(timeout.message);
    this.name = "CutShortByDeadline";
  }
}

/**
 * A call gets at least this long, whatever its deadline: the jobs in it are decided at their
 * deadlines by their own timers anyway, but the answer still matters — the shared limiter climbs
 * back after a storm only on answered calls, and a rate kept low because every late call was cut
 * before it could answer would decide every job locally from then on.
 */
const CALL_TIMEOUT_FLOOR_MS = TELLING_TIMEOUT_MS;

/** The time left until the batch's earliest item must be decided (at least the floor); undefined: the client's default. */
function callTimeoutMs(deps: BatchCallDeps, items: readonly BatchItem[]): number | undefined {
  if (!deps.deadlines) return undefined;
  const now = (deps.deadlines.now ?? Date.now)();
  const earliest = Math.min(...items.map((item) => item.data.deadline_at - deps.deadlines!.marginMs));
  return Math.max(CALL_TIMEOUT_FLOOR_MS, Math.floor(earliest - now));
}

/** The contract item of a request: everything but riskq's own fields. */
function itemOf(data: ScoreJobData) {
  const {
    task: _task,
    model_version: _m,
    confidence_threshold: _t,
    deadline_ms: _d,
    on_deadline: _o,
    callback_url: _c,
    ...item
  } = data.request;
  return item;
}
