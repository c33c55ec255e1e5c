import { setTimeout as sleep } from "node:timers/promises";
import type { ScoreRequestBody } from "@riskq/contracts";
import { ApiAnswerError, type RiskqApi } from "./riskq-api";
import { chunks } from "./score-traffic";

export interface TrafficPumpOptions {
  api: RiskqApi;
  requests: readonly ScoreRequestBody[];
  /** Requests offered per second (sent in chunks of `chunk`). */
  perSecond: number;
  /** Requests per `POST /v1/scores/batch` (default 50). */
  chunk?: number;
  /** How long one chunk may keep being refused (503, no connection) before the pump gives up (default 60 s). */
  giveUpMs?: number;
}

/**
 * Services enqueuing through riskq's API while the test breaks things: a steady rate of batch
 * requests, each retried as a service's client would (503 while Redis is down, a refused connection)
 * until riskq takes it. Retrying is safe because job ids are idempotency keys; only a retried chunk
 * may come back with `duplicate: true`.
 */
export interface TrafficPump {
  /** Job ids riskq answered for, in request order. */
  readonly ids: readonly string[];
  /** Chunks that had to be sent more than once, and how many attempts failed. */
  readonly retriedChunks: number;
  readonly failedAttempts: number;
  /** Jobs answered `duplicate: true` by a first attempt (a second job for a new item: a bug). */
  readonly unexpectedDuplicates: readonly string[];
  /** Resolves once every request was enqueued; rejects if a chunk was refused for longer than giveUpMs. */
  readonly done: Promise<void>;
}

export function startTrafficPump(options: TrafficPumpOptions): TrafficPump {
  const ids: string[] = [];
  const unexpectedDuplicates: string[] = [];
  let retriedChunks = 0;
  let failedAttempts = 0;
  const size = options.chunk ?? 50;
  const spacingMs = (size / options.perSecond) * 1_000;
  const giveUpMs = options.giveUpMs ?? 60_000;

  const sendChunk = async (items: ScoreRequestBody[]) => {
    const giveUpAt = Date.now() + giveUpMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const jobs = await options.api.enqueueBatch(items);
        if (attempt > 1) retriedChunks += 1;
        for (const job of jobs) {
          ids.push(job.id);
          if (job.duplicate && attempt === 1) unexpectedDuplicates.push(job.id);
        }
        return;
      } catch (err) {
        const retryable = !(err instanceof ApiAnswerError) || err.status === 503;
        if (!retryable || Date.now() >= giveUpAt) throw err;
        failedAttempts += 1;
        await sleep(100);
      }
    }
  };

  const done = (async () => {
    const start = Date.now();
    let n = 0;
    for (const items of chunks(options.requests, size)) {
      await sendChunk(items);
      n += 1;
      // Keep the rate over the whole run: a chunk held up by an outage is followed by the next at once.
      await sleep(Math.max(0, start + n * spacingMs - Date.now()));
    }
  })();

  // Awaited by the test later; until then a rejection must not count as unhandled.
  done.catch(() => undefined);
  return {
    ids,
    get retriedChunks() {
      return retriedChunks;
    },
    get failedAttempts() {
      return failedAttempts;
    },
    unexpectedDuplicates,
    done,
  };
}
