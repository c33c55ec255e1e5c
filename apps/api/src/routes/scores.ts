import {
  merchantOfJobId,
  type ScoreRequestBody,
  scoreBatchBodySchema,
  scoreRequestBodySchema,
} from "@riskq/contracts";
import type { CallbackDestinationPolicy, DeadLetterStore, OutcomeRecords, ScoreQueue } from "@riskq/pipeline";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { z } from "zod";
import { type ApiCaller, actsFor, callerOf, merchantForbidden } from "../http/api-caller";
import { notFound } from "../http/api-error";
import { cachedResolve } from "../http/cached-resolve";
import { refuseCallbackDestinations } from "../http/callback-url-guard";
import { refuseCardNumbers } from "../http/card-number-guard";
import { fieldIssues, invalidRequest, parseOrThrow } from "../http/field-issues";
import { enqueueScores } from "../scores/enqueue-scores";
import type { FairShare } from "../scores/fair-share";
import { presentJob } from "../scores/job-presentation";
import { isFinal, type JobView, readStoredJobs, refreshViews } from "../scores/job-view";
import { occurredAtIssue } from "../scores/occurred-at-window";
import type { WatchEnds } from "../scores/outcome-wakeups";
import { readRecordedView } from "../scores/recorded-outcomes";
import { waitBudgetMs } from "../scores/wait-budget";
import { MAX_WAIT_MS, waitForOutcomes } from "../scores/wait-for-outcome";
import type { WaiterCap } from "../scores/waiter-cap";

export interface ScoreRoutesDeps {
  scoreQueue: ScoreQueue;
  deadLetters: DeadLetterStore;
  /** Throws 429 while the backlog is over its limit. */
  guardBacklog: () => Promise<void>;
  /** Jobs waited on at once (RISKQ_MAX_WAITING_JOBS). */
  waiters: WaiterCap;
  /** Priorities of a merchant's items beyond its fair share (RISKQ_FAIR_SHARE_PER_S). */
  fairShare: FairShare;
  /** Where `callback_url`s may point (RISKQ_CALLBACK_ALLOWED_HOSTS; https in production). */
  callbackDestinations: CallbackDestinationPolicy;
  /** Wakes waits when their jobs end (the API's OutcomeWakeups); without it waits poll alone. */
  watchEnds?: WatchEnds | undefined;
  /** Idempotency records (RISKQ_IDEMPOTENCY_TTL): outcomes of jobs gone from the queue; none: not used. */
  outcomes?: OutcomeRecords;
  now: () => number;
}

/** The query of the enqueue routes (exported for the OpenAPI document). */
export const waitQuerySchema = z.object({
  // Decimal digits only: z.coerce.number() read "0x10" as 16, "1e3" as 1000 and " " as 0.
  wait_ms: z
    .string()
    .regex(/^\d{1,6}$/, "a whole number of milliseconds (decimal digits)")
    .transform(Number)
    .pipe(z.number().max(MAX_WAIT_MS, `at most ${MAX_WAIT_MS}`))
    .optional()
    .describe(
      `wait up to this many milliseconds (decimal digits, at most ${MAX_WAIT_MS}) for the outcome: 200 once every job is final, 202 when the wait is over first`,
    ),
});

/** Aborts when the connection closes before the answer is written: a wait then stops at once. */
function abortOnClose(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * 403 for the first request of a merchant the caller's key does not act for. Checked before anything
 * is enqueued: a job id is `<merchant>-<item>`, so enqueuing for another merchant would take that
 * merchant's idempotency keys (and read its jobs back as duplicates).
 */
function refuseOtherMerchants(
  caller: ApiCaller,
  bodies: readonly ScoreRequestBody[],
  fieldOf: (index: number) => string,
): void {
  const index = bodies.findIndex((body) => !actsFor(caller, body.merchant_id));
  if (index >= 0) throw merchantForbidden(caller, fieldOf(index), bodies[index]!.merchant_id);
}

/** `POST /v1/scores`, `POST /v1/scores/batch`, `GET /v1/scores/:id`. */
export function scoreRoutes(deps: ScoreRoutesDeps): FastifyPluginAsync {
  const refresh = (views: readonly JobView[]) => refreshViews(deps.scoreQueue, deps.deadLetters, views);
  // A test's policy may bring its own DNS stand-in; otherwise names are resolved through a short cache.
  const resolve = deps.callbackDestinations.resolve ?? cachedResolve();

  /**
   * Enqueues; 202 with the jobs as enqueued, or with `?wait_ms` 200 once all are final, 202 when
   * the wait is over (wait_ms, or the jobs' latest deadline plus a grace, whichever comes first).
   */
  async function enqueueAndAnswer(
    reply: FastifyReply,
    caller: ApiCaller,
    bodies: readonly ScoreRequestBody[],
    waitMs: number | undefined,
  ): Promise<JobView[]> {
    // Taken before anything is enqueued: a refused request has done nothing, so retrying is clean.
    const pass = waitMs ? deps.waiters.admit(bodies.length) : undefined;
    try {
      await deps.guardBacklog();
      const now = deps.now();
      const priorities = deps.fairShare.priorities(
        bodies.map((body) => body.merchant_id),
        now,
      );
      const jobs = await enqueueScores(
        deps.scoreQueue,
        deps.deadLetters,
        bodies,
        now,
        caller.name,
        priorities,
        deps.outcomes,
      );
      const views = jobs.map((job) => job.view);
      // A duplicate may be another key's job (of the same merchant): shown as that caller may see it.
      const present = (shown: readonly JobView[]) =>
        shown.map((view, i) => presentJob(view, jobs[i]!.submittedBy, caller));
      if (waitMs === undefined) {
        reply.code(202);
        return present(views);
      }
      const budgetMs = waitBudgetMs(
        waitMs,
        jobs.map((job) => job.deadlineAt),
        deps.now(),
      );
      const decidedBy = Math.min(...jobs.map((job) => job.deadlineAt));
      const final = await waitForOutcomes(views, budgetMs, refresh, {
        signal: abortOnClose(reply),
        decidedBy,
        watch: deps.watchEnds,
      });
      reply.code(final.every((view) => isFinal(view.status)) ? 200 : 202);
      return present(final);
    } finally {
      pass?.release();
    }
  }

  return async (app) => {
    app.post("/v1/scores", async (request, reply) => {
      const { wait_ms } = parseOrThrow(waitQuerySchema, request.query);
      refuseCardNumbers(request.body);
      const body = parseOrThrow(scoreRequestBodySchema, request.body);
      const late = occurredAtIssue(body.occurred_at, deps.now(), "occurred_at");
      if (late) throw invalidRequest([late]);
      const caller = callerOf(request);
      refuseOtherMerchants(caller, [body], () => "merchant_id");
      await refuseCallbackDestinations([body], deps.callbackDestinations, () => "callback_url", resolve);
      const [view] = await enqueueAndAnswer(reply, caller, [body], wait_ms);
      return view;
    });

    app.post("/v1/scores/batch", async (request, reply) => {
      const { wait_ms } = parseOrThrow(waitQuerySchema, request.query);
      refuseCardNumbers(request.body);
      const { items } = parseOrThrow(scoreBatchBodySchema, request.body);
      // Every item is checked before anything is enqueued, and every item's errors are reported.
      const issues = [];
      const bodies = [];
      const now = deps.now();
      for (const [index, item] of items.entries()) {
        const parsed = scoreRequestBodySchema.safeParse(item);
        if (!parsed.success) {
          issues.push(...fieldIssues(parsed.error.issues, `items[${index}]`));
          continue;
        }
        const late = occurredAtIssue(parsed.data.occurred_at, now, `items[${index}].occurred_at`);
        if (late) issues.push(late);
        else bodies.push(parsed.data);
      }
      if (issues.length > 0) throw invalidRequest(issues);
      // Every item was valid, so bodies[i] is items[i].
      const caller = callerOf(request);
      refuseOtherMerchants(caller, bodies, (i) => `items[${i}].merchant_id`);
      await refuseCallbackDestinations(
        bodies,
        deps.callbackDestinations,
        (i) => `items[${i}].callback_url`,
        resolve,
      );
      return { jobs: await enqueueAndAnswer(reply, caller, bodies, wait_ms) };
    });

    app.get<{ Params: { id: string } }>("/v1/scores/:id", async (request) => {
      const { id } = request.params;
      const caller = callerOf(request);
      // Another merchant's job answers as a missing one: its existence is not the caller's to learn.
      const merchant = merchantOfJobId(id);
      if (merchant === undefined || !actsFor(caller, merchant)) {
        throw notFound(`no score job with id ${JSON.stringify(id)}`);
      }
      const [stored] = await readStoredJobs(deps.scoreQueue, deps.deadLetters, [id]);
      if (stored) return presentJob(stored.view, stored.data.submitted_by, caller);
      // The job is gone (retention): its idempotency record, if any, still tells the outcome.
      const recorded = await readRecordedView(deps.outcomes, id, deps.now());
      if (!recorded) throw notFound(`no score job with id ${JSON.stringify(id)}`);
      return recorded;
    });
  };
}
