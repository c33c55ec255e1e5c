import type { AlipayClient, KeyHealth } from "@riskq/alipay";
import type { DeadlinePolicy, ScoreJobResult } from "@riskq/contracts";
import type { Logger } from "@riskq/observability";
import type {
  BackoffOptions,
  CallbackDestinationPolicy,
  CallbackQueue,
  CallRateLimiter,
  CircuitBreaker,
  DeadLetterStore,
  OutcomeRecords,
  ScoreJobDataWithHistory,
  ScoreQueue,
} from "@riskq/pipeline";
import type { Prefilter } from "@riskq/prefilter";
import type { ConnectionOptions, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { BudgetWaitOptions } from "./budget/budget-wait";
import type { PrefilterStepOptions } from "./prefilter/prefilter-step";

/**
 * How long before its deadline a job is decided by default: the decision still has to be stored and
 * read by the API for a waiting caller. 50 ms was enough on an idle host; on a loaded one (the
 * payment-budget bench on 2 cores, a merchant's 1 000-item burst arriving) that path took 150-250 ms
 * and decisions made in time reached callers after the deadline.
 */
export const DEFAULT_DEADLINE_MARGIN_MS = 150;

/**
 * The settings of a worker: plain values, read from the environment by worker-config.ts in a process and
 * chosen by the test harness in tests.
 */
export interface WorkerConfig {
  prefix: string;
  /** The configured batch limit (BATCH_CAP, documented 100). */
  batchCap: number;
  /** ALIPAY_YOUNG_ACCOUNT: the account is known to be young, so start at 50 (batching/batch-cap.ts). */
  youngAccount?: boolean;
  /** The cap a lowered one is probed back up to (default `batchCap`). */
  batchCapMaximum?: number;
  /** BATCH_CAP_PROBE_MS: how long without truncations before a lowered cap is probed (default 10 min). */
  batchCapProbeMs?: number;
  /** RISKQ_ON_DEADLINE: how jobs no remote score can reach in time are decided (default `local`). */
  onDeadline?: DeadlinePolicy;
  /** RISKQ_DEADLINE_MARGIN_MS: jobs are decided this long before their deadline (default 150). */
  deadlineMarginMs?: number;
  /**
   * How far each call beyond its share (past the first) puts a merchant's next batch back in the
   * permit order, in call intervals (default 8): the fair share between merchants
   * (batching/fair-share.ts).
   */
  fairSharePenaltyIntervals?: number;
  lingerMs: number;
  /** Jobs in flight per process; at least the batch cap, or batches can never fill. */
  concurrency: number;
  maxAttempts: number;
  defaultModelVersion: string;
  expiredPolicy: "complete" | "dead-letter";
  maxRateLimitWaitMs: number;
  sweepEveryMs?: number;
  /** BullMQ lock duration and stalled-check interval (default 30 s). */
  lockMs?: number;
  /** node-cron expression of this process's own AES key probe (UTC); "off" disables it. */
  keyProbeCron?: string;
}

/** Drift bookkeeping of a worker: score windows per (model, task) and the degraded-model marks. */
interface WorkerDriftOptions {
  /** A plain ioredis client (the windows and marks live under the worker's prefix). */
  redis: Redis;
  /** Drift window length (default 5 min); the scheduler's drift-check must use the same. */
  windowMs?: number;
  /** Clock that picks the window a batch's scores fall in (default the system clock). */
  now?: () => number;
  /** How long a read of the degraded marks is trusted (default 5 s). */
  degradedCacheMs?: number;
  /** Record the model retirement dates Alipay announces (DRIFT_MODEL_EXPIRY; default true). */
  useModelExpiry?: boolean;
  /** Model that takes the jobs of a degraded one (ALIPAY_FALLBACK_MODEL_VERSION); none dead-letters them. */
  fallbackModelVersion?: string | undefined;
}

/**
 * What a worker talks to and is watched by: connections, clients, stores and hooks, plus each optional
 * feature with the client it needs. main.ts builds them from the environment, the test harness against
 * the sandbox.
 */
export interface WorkerDeps {
  connection: ConnectionOptions;
  alipay: AlipayClient;
  limiter: CallRateLimiter;
  breaker: CircuitBreaker;
  deadLetters: DeadLetterStore;
  logger: Logger;
  /** Called with the BullMQ worker as soon as it exists, before any job can end: metrics listen here. */
  observe?: (worker: Worker<ScoreJobDataWithHistory, ScoreJobResult>) => void;
  /** Reports the cap whenever it is read (metrics). */
  onBatchCap?: (read: () => number) => void;
  /** Told when this process's own key probe finds its AES key rejected (the key is rotated at once). */
  onKeyRejected?: (probe: KeyHealth) => Promise<void>;
  /** The local model of the `local` deadline policy (default the built-in pre-filter). */
  deadlinePrefilter?: Prefilter;
  /**
   * Result callbacks: completed jobs queue theirs here (give `deadLetters` the same queue for dead
   * ones), and this process also delivers them, signed with `secret`. Without it none are sent.
   */
  callbacks?: {
    queue: CallbackQueue;
    secret: string;
    concurrency: number;
    backoff?: BackoffOptions;
    /** Where deliveries may go (RISKQ_CALLBACK_ALLOWED_HOSTS; https in production). */
    destinations?: CallbackDestinationPolicy;
  };
  /** Records scores for drift detection and honours degraded marks; without it neither happens. */
  drift?: WorkerDriftOptions;
  /**
   * Merges the batches of one (merchant, task, model) across worker processes through Redis, so
   * several workers under a rate limit still send few, full calls (WORKER_SHARED_BATCHES).
   */
  sharedBatches?: { redis: Redis; leaseMs?: number; giveUpMs?: number };
  /**
   * Counts what each merchant sent, for the fair share between merchants, in Redis, shared by every
   * worker process (their batches' priorities are compared with one another). Without it each process
   * counts only its own sends, which is right for a single process.
   */
  fairShare?: { redis: Redis };
  /**
   * The cost ledger and recorded traffic (docs/budget-and-cost.md, "Cost"): every call's billing, per UTC day
   * of `now` (default the system clock), kept `retentionDays` (default 400). Without it nothing is booked.
   */
  cost?: { redis: Redis; now?: () => number; retentionDays?: number };
  /**
   * The budget guard and what stopped jobs do (docs/budget-and-cost.md, "Budget"); without it calls are
   * not budgeted.
   */
  budget?: BudgetWaitOptions;
  /**
   * The local pre-filter (docs/prefilter.md, "Pre-filter"; RISKQ_PREFILTER); without it every job goes to
   * Alipay.
   */
  prefilter?: PrefilterStepOptions;
  /**
   * RISKQ_RESCORE_DEGRADED: degraded decisions are re-scored remotely at the lowest priority, the
   * verdict stored next to the decision (scoring/audit-rescore.ts); `queue` is the score queue to add them to.
   */
  rescoreDegraded?: { queue: ScoreQueue; redis: Redis };
  /**
   * Idempotency records (RISKQ_IDEMPOTENCY_TTL): completed jobs write theirs before they complete
   * (give `deadLetters` the same store for dead ones). Without it none are kept.
   */
  outcomes?: OutcomeRecords;
}

/** Settings and collaborators in one object: how tests override a few of either. */
export type ScoreWorkerOptions = WorkerConfig & WorkerDeps;

// Every settings key, checked against WorkerConfig by the compiler: a new setting must be listed here or
// splitWorkerOptions would hand it to the deps.
const CONFIG_KEYS = {
  prefix: true,
  batchCap: true,
  youngAccount: true,
  batchCapMaximum: true,
  batchCapProbeMs: true,
  onDeadline: true,
  deadlineMarginMs: true,
  fairSharePenaltyIntervals: true,
  lingerMs: true,
  concurrency: true,
  maxAttempts: true,
  defaultModelVersion: true,
  expiredPolicy: true,
  maxRateLimitWaitMs: true,
  sweepEveryMs: true,
  lockMs: true,
  keyProbeCron: true,
} satisfies Record<keyof WorkerConfig, true>;

/** Splits one flat options object into buildWorker's two arguments. */
export function splitWorkerOptions(options: ScoreWorkerOptions): [WorkerConfig, WorkerDeps] {
  const config: Record<string, unknown> = {};
  const deps: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    (key in CONFIG_KEYS ? config : deps)[key] = value;
  }
  return [config as unknown as WorkerConfig, deps as unknown as WorkerDeps];
}
