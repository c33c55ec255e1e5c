import { QUEUES } from "@riskq/contracts";
import type { Logger } from "@riskq/observability";
import { type ConnectionOptions, type Job, UnrecoverableError, Worker } from "bullmq";
import { CALLBACK_ATTEMPTS } from "../queues/callback-queue";
import { type BackoffOptions, backoffMs } from "../retry/backoff";
import type { CallbackDelivery } from "./callback-payload";
import type { CallbackDestinationPolicy } from "./callback-url-check";
import { CallbackFailed, deliverCallback } from "./deliver-callback";

export interface CallbackWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  /** The master secret (RISKQ_CALLBACK_SECRET) each key's callback secret is derived from. */
  secret: string;
  /** Deliveries in flight per process; each mostly waits on a receiver (default 20). */
  concurrency?: number;
  logger: Pick<Logger, "debug" | "warn" | "error">;
  /** Per attempt (default 5 s). */
  timeoutMs?: number;
  /** Between attempts: full-jitter exponential, default 1 s doubling up to 5 min. */
  backoff?: BackoffOptions;
  /** Attempts a delivery gets while the receiver answers 3xx/4xx (default 3); see CallbackFailureKind. */
  rejectedAttempts?: number;
  /**
   * BullMQ lock of a delivery in progress, and the stalled-check interval: how soon the deliveries a
   * dead process held go to another (default 30 s, BullMQ's). The worker passes its JOB_LOCK_MS.
   */
  lockMs?: number;
  /**
   * Where callbacks may go (RISKQ_CALLBACK_ALLOWED_HOSTS, https in production). Default: loopback,
   * private, link-local and metadata destinations refused, http allowed.
   */
  destinations?: CallbackDestinationPolicy;
}

/** Far more stalls than any run of crashes: a delivery that stalls this often is itself the problem. */
const STALLS_BEFORE_GIVING_UP = CALLBACK_ATTEMPTS * 10;

const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 300_000 };

/**
 * Consumes `score-callbacks`: POSTs each delivery (signed), retrying with backoff until a 2xx or the
 * budget is spent. It runs beside the score worker but never inside its jobs, so a slow or dead
 * receiver costs scoring nothing. Logs job ids and statuses, never a body, URL or the secret.
 */
export function startCallbackWorker(options: CallbackWorkerOptions) {
  const { logger } = options;
  const rejectedAttempts = options.rejectedAttempts ?? 3;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;

  const worker = new Worker<CallbackDelivery>(
    QUEUES.callbacks,
    async (job: Job<CallbackDelivery>) => {
      try {
        const { status } = await deliverCallback(job.data, {
          secret: options.secret,
          timeoutMs: options.timeoutMs,
          destinations: options.destinations,
        });
        logger.debug({ jobId: job.data.job_id, event: job.data.body.event, status }, "callback delivered");
      } catch (err) {
        if (!(err instanceof CallbackFailed)) throw err;
        logger.debug(
          {
            jobId: job.data.job_id,
            event: job.data.body.event,
            status: err.status,
            attempt: job.attemptsMade + 1,
          },
          `callback attempt failed: ${err.message}`,
        );
        // A refused destination stays refused: retrying would only knock on it again.
        const outOfTries =
          err.kind === "invalid" ||
          err.kind === "refused" ||
          (err.kind === "rejected" && job.attemptsMade + 1 >= rejectedAttempts);
        if (outOfTries) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 20,
      // A delivery caught in a dying process is run again, however often that happens: BullMQ's
      // default (1) would fail it on its second stall, and that outcome would never be announced.
      // Receivers get at least once and deduplicate by the delivery id.
      maxStalledCount: STALLS_BEFORE_GIVING_UP,
      ...(options.lockMs === undefined
        ? {}
        : { lockDuration: options.lockMs, stalledInterval: options.lockMs }),
      settings: { backoffStrategy: (attemptsMade: number) => backoffMs(attemptsMade, backoff) },
    },
  );

  worker.on("failed", (job: Job<CallbackDelivery> | undefined, err: Error) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) {
      logger.warn(
        {
          jobId: job.data.job_id,
          event: job.data.body.event,
          attempts: job.attemptsMade,
          error: err.message,
        },
        "callback given up",
      );
    }
  });
  worker.on("error", (err) => logger.error({ err }, "callback worker error"));

  return {
    worker,
    /** Stops taking deliveries and waits for those in flight (at most one timeout). */
    close: () => worker.close(),
  };
}

export type CallbackWorker = ReturnType<typeof startCallbackWorker>;
