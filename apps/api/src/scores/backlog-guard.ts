import type { ScoreQueue } from "@riskq/pipeline";
import { ApiError } from "../http/api-error";

export interface BacklogGuardOptions {
  /** Unfinished jobs (waiting, delayed, prioritized, active) above which enqueues get 429. */
  maxBacklog: number;
  /** How long a count is reused (default 250 ms): counting on every request would cost Redis more than the adds. */
  cacheMs?: number | undefined;
  /** What `Retry-After` says (default 2 s). */
  retryAfterS?: number;
  now?: () => number;
}

/**
 * Turns producers away while the queue is too far behind: a 429 with `Retry-After` tells them to
 * slow down, where accepting more would only grow the backlog past every job's deadline.
 */
export function backlogGuard(queue: ScoreQueue, options: BacklogGuardOptions): () => Promise<void> {
  const cacheMs = options.cacheMs ?? 250;
  const retryAfterS = options.retryAfterS ?? 2;
  const now = options.now ?? Date.now;
  let cached: { at: number; count: Promise<number> } | undefined;

  const backlog = (): Promise<number> => {
    const at = now();
    if (cached && at - cached.at < cacheMs) return cached.count;
    // Concurrent requests share one count in flight; a failed count is not kept.
    const count = queue.getJobCountByTypes("waiting", "delayed", "prioritized", "active");
    const entry = { at, count };
    cached = entry;
    count.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return count;
  };

  return async () => {
    const count = await backlog();
    if (count <= options.maxBacklog) return;
    throw new ApiError(
      429,
      {
        error: "backlog_full",
        message: `${count} jobs are waiting (limit ${options.maxBacklog}); retry after ${retryAfterS} s`,
        retry_after_s: retryAfterS,
      },
      { "retry-after": String(retryAfterS) },
    );
  };
}
