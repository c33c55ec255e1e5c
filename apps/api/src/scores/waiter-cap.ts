import { ApiError } from "../http/api-error";

/** Default of RISKQ_MAX_WAITING_JOBS: jobs waited on at once per API process. */
export const DEFAULT_MAX_WAITING_JOBS = 5_000;

/** A place among the waiters, given back once the answer is written (or the request failed). */
interface WaiterPass {
  release(): void;
}

/** Admits `?wait_ms` requests while fewer than the cap's jobs are being waited on. */
export interface WaiterCap {
  /** Takes `jobs` places, or throws 429 `too_many_waiters`; release the pass in a `finally`. */
  admit(jobs: number): WaiterPass;
  /** Jobs waited on now (for tests and metrics). */
  readonly waiting: number;
}

/**
 * Caps what `?wait_ms` can hold in one API process: each waiting job keeps a request, its views and
 * a share of every poll alive for up to 10 s, so a flood of waits would grow memory and Redis load
 * without bound while answering nobody sooner. A batch counts its item count. Past the cap the
 * request is refused before anything is enqueued, with what to do instead; `Retry-After` is short
 * because waits end by their jobs' deadlines (2 s by default).
 */
export function waiterCap(maxJobs: number, retryAfterS = 1): WaiterCap {
  let waiting = 0;
  return {
    get waiting() {
      return waiting;
    },
    admit(jobs) {
      if (waiting + jobs > maxJobs) {
        throw new ApiError(
          429,
          {
            error: "too_many_waiters",
            message:
              `this API process already waits on ${waiting} jobs (limit ${maxJobs}, this request ${jobs}): ` +
              `retry after ${retryAfterS} s, or send it without wait_ms and read the outcome with ` +
              "GET /v1/scores/{id} or a callback_url",
            retry_after_s: retryAfterS,
          },
          { "retry-after": String(retryAfterS) },
        );
      }
      waiting += jobs;
      let released = false;
      return {
        release() {
          // Idempotent: a pass given back twice must not free someone else's places.
          if (released) return;
          released = true;
          waiting -= jobs;
        },
      };
    },
  };
}
