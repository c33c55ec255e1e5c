import { abortableSleep } from "./abortable-sleep";
import { errorFromAnswer, retryAfterOf } from "./answer-errors";
import { type ApiAnswer, parseBody } from "./api-answer";
import type { ResolvedClientOptions } from "./client-options";
import { RiskqTimeout, RiskqUnavailable } from "./errors";
import { fullJitterDelay, retryAfterDelay } from "./retry-delays";

/** One logical call to riskq's API (one or more HTTP attempts). */
export interface ApiCall {
  method: "GET" | "POST" | "DELETE";
  /** Path and query, e.g. `/v1/scores?wait_ms=2000`. */
  path: string;
  /** Sent as JSON when present. */
  body?: unknown;
  /** Deadline of each attempt; defaults to the client's `timeoutMs`. */
  timeoutMs?: number;
  /** The caller's own cancellation: aborts the attempt in flight and any backoff wait, not retried. */
  signal?: AbortSignal | undefined;
}

type Attempt =
  | { kind: "answer"; answer: ApiAnswer }
  | { kind: "timeout" }
  | { kind: "network"; error: unknown };

/** 429 (backlog full) and 503 (Redis unreachable) are the answers that may change if asked again. */
const RETRIED_STATUSES = new Set([429, 503]);

async function attemptOnce(
  options: ResolvedClientOptions,
  call: ApiCall,
  timeoutMs: number,
): Promise<Attempt> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, deadline]) : deadline;
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.apiKey}`,
    accept: "application/json",
  };
  if (call.body !== undefined) headers["content-type"] = "application/json";
  try {
    const response = await options.fetch(`${options.baseUrl}${call.path}`, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal,
    });
    // The body is read under the same deadline: a server that sends headers then stalls still times out.
    const body = parseBody(await response.text());
    return { kind: "answer", answer: { status: response.status, headers: response.headers, body } };
  } catch (error) {
    if (call.signal?.aborted) throw call.signal.reason;
    return deadline.aborted ? { kind: "timeout" } : { kind: "network", error };
  }
}

/**
 * Sends a call, retrying 503, 429 and network failures/timeouts with full-jitter exponential backoff
 * (429/503 wait at least their `Retry-After`, capped at `capMs`). Any other answer — 2xx, 400, 401,
 * 404, … — is returned at once: a 4xx other than 429 will not change by asking again.
 *
 * Retrying a POST is safe: the job id (`<merchant_id>-<item_id>`) is the idempotency key, so a
 * request that reached riskq before its answer was lost comes back as `duplicate: true` on the retry,
 * never as a second job.
 *
 * @throws RiskqUnavailable / RiskqBacklogFull / RiskqTimeout once every attempt failed that way;
 *   the caller's `signal.reason` when it aborts.
 */
export async function retryingCall(options: ResolvedClientOptions, call: ApiCall): Promise<ApiAnswer> {
  const { retries } = options;
  const timeoutMs = call.timeoutMs ?? options.timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(options, call, timeoutMs);
    if (outcome.kind === "answer" && !RETRIED_STATUSES.has(outcome.answer.status)) return outcome.answer;
    if (attempt >= retries.attempts) {
      if (outcome.kind === "answer") throw errorFromAnswer(outcome.answer, attempt);
      if (outcome.kind === "timeout") throw new RiskqTimeout(timeoutMs, attempt);
      throw new RiskqUnavailable(`riskq could not be reached after ${attempt} attempt(s)`, attempt, {
        cause: outcome.error,
      });
    }
    const retryAfterS = outcome.kind === "answer" ? retryAfterOf(outcome.answer) : undefined;
    const wait =
      retryAfterS === undefined
        ? fullJitterDelay(attempt - 1, retries)
        : retryAfterDelay(retryAfterS, retries);
    await abortableSleep(wait, call.signal);
  }
}
