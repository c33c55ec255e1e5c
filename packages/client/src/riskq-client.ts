import type { ScoreRequestBody } from "@riskq/contracts";
import { abortableSleep } from "./abortable-sleep";
import { bodyOf, isNotFound } from "./answer-body";
import { batchChunks } from "./batch-chunks";
import { type RiskqClientOptions, resolveClientOptions } from "./client-options";
import { defaultWaitMs } from "./default-wait";
import { RiskqHttpError } from "./errors";
import {
  batchAnswerSchema,
  type EnqueuedJob,
  enqueuedJobSchema,
  isSettled,
  type JobView,
  jobViewSchema,
} from "./job-view";
import { validateScoreRequests } from "./request-validation";
import { retryingCall } from "./retrying-call";

/** Per-call options. */
export interface CallOptions {
  /** Cancels the call (the request in flight and any backoff wait); the promise rejects with its reason. */
  signal?: AbortSignal;
}

/** Options of {@link RiskqClient.scoreAndWait}. */
export interface WaitOptions extends CallOptions {
  /**
   * How long to wait for the outcome, in all, from the call. Default: the request's deadline
   * (`deadline_ms`, else 2 000) plus 500 ms, by when riskq has decided the job (see `defaultWaitMs`).
   */
  waitMs?: number;
}

/** The typed producer SDK of riskq's HTTP API. */
export interface RiskqClient {
  /**
   * Enqueues one score request (`POST /v1/scores`). Enqueuing the same `<merchant_id>-<item_id>`
   * again returns the existing job with `duplicate: true`.
   * @throws RiskqRequestInvalid (incl. RiskqCardNumberRefused) before sending when the request is invalid.
   */
  enqueueScore(request: ScoreRequestBody, options?: CallOptions): Promise<EnqueuedJob>;
  /**
   * Enqueues many (`POST /v1/scores/batch`), in chunks of ≤ 1 000 sent one after another; answers in
   * request order. Every request is validated before the first chunk is sent. If a later chunk fails,
   * earlier ones stay enqueued: calling again with the same requests is safe (they come back as
   * duplicates).
   */
  enqueueScores(requests: readonly ScoreRequestBody[], options?: CallOptions): Promise<EnqueuedJob[]>;
  /** The job (`GET /v1/scores/{id}`), or undefined when riskq does not know the id. */
  getScore(id: string, options?: CallOptions): Promise<JobView | undefined>;
  /**
   * Enqueues and waits up to `waitMs` for the outcome: riskq waits server-side (`?wait_ms=`), then, if
   * the job is still running, the SDK polls `getScore` until it is completed or dead or the budget is
   * spent. Returns the latest view, settled or not. By default it waits until just past the job's
   * deadline, so the answer is the job's decision: Alipay's score, or what the request's
   * `on_deadline` policy decided when no score could arrive in time.
   */
  scoreAndWait(request: ScoreRequestBody, options?: WaitOptions): Promise<JobView>;
}

/** The longest wait the API accepts in `?wait_ms=`; a longer budget is finished by polling. */
export const MAX_SERVER_WAIT_MS = 10_000;
const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 500;

/**
 * Creates the SDK. Nothing is sent until a method is called.
 *
 * @example
 * const riskq = createRiskqClient({ baseUrl: "http://127.0.0.1:3000", apiKey });
 * const job = await riskq.enqueueScore({ task: "transaction_anomaly", item_id: "o-1", ... });
 */
export function createRiskqClient(clientOptions: RiskqClientOptions): RiskqClient {
  const options = resolveClientOptions(clientOptions);

  async function getScore(id: string, call: CallOptions = {}): Promise<JobView | undefined> {
    const answer = await retryingCall(options, {
      method: "GET",
      path: `/v1/scores/${encodeURIComponent(id)}`,
      signal: call.signal,
    });
    // Only the API's own "no such job" is undefined: a 404 from a wrong baseUrl must not look like one.
    if (isNotFound(answer)) return undefined;
    return bodyOf(answer, jobViewSchema);
  }

  return {
    async enqueueScore(request, call = {}) {
      const [body] = validateScoreRequests([request], false);
      const answer = await retryingCall(options, {
        method: "POST",
        path: "/v1/scores",
        body,
        signal: call.signal,
      });
      return bodyOf(answer, enqueuedJobSchema);
    },

    async enqueueScores(requests, call = {}) {
      const bodies = validateScoreRequests(requests, true);
      const jobs: EnqueuedJob[] = [];
      for (const items of batchChunks(bodies)) {
        const answer = await retryingCall(options, {
          method: "POST",
          path: "/v1/scores/batch",
          body: { items },
          signal: call.signal,
        });
        const chunkJobs = bodyOf(answer, batchAnswerSchema).jobs;
        if (chunkJobs.length !== items.length) {
          throw new RiskqHttpError(
            answer.status,
            undefined,
            `riskq answered ${chunkJobs.length} jobs for ${items.length} items`,
          );
        }
        jobs.push(...chunkJobs);
      }
      return jobs;
    },

    getScore,

    async scoreAndWait(request, call = {}) {
      const waitMs = Math.max(0, call.waitMs ?? defaultWaitMs(request));
      const budgetEnd = Date.now() + waitMs;
      const [body] = validateScoreRequests([request], false);
      const serverWaitMs = Math.min(waitMs, MAX_SERVER_WAIT_MS);
      const answer = await retryingCall(options, {
        method: "POST",
        path: `/v1/scores?wait_ms=${serverWaitMs}`,
        body,
        // The server holds the request for up to wait_ms before answering: that is not a timeout.
        timeoutMs: options.timeoutMs + serverWaitMs,
        signal: call.signal,
      });
      let view = bodyOf(answer, jobViewSchema);
      let pause = FIRST_POLL_MS;
      while (!isSettled(view.status)) {
        const left = budgetEnd - Date.now();
        if (left <= 0) break;
        await abortableSleep(Math.min(pause, left), call.signal);
        pause = Math.min(pause * 2, MAX_POLL_MS);
        const latest = await getScore(view.id, call);
        // Keep what only the enqueue answer says (duplicate, maybe item_id) on the newer view.
        if (latest !== undefined) view = { ...view, ...latest };
      }
      return view;
    },
  };
}
