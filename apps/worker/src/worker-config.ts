import type { WorkerEnv } from "./worker-env";
import type { WorkerConfig } from "./worker-options";

/**
 * A worker process's settings from its environment: the one mapping of variables to buildWorker's config
 * (the features with a client of their own are put together in main.ts).
 */
export function workerConfigOf(env: WorkerEnv): WorkerConfig {
  return {
    prefix: env.RISKQ_PREFIX,
    batchCap: env.BATCH_CAP,
    youngAccount: env.ALIPAY_YOUNG_ACCOUNT,
    batchCapProbeMs: env.BATCH_CAP_PROBE_MS,
    onDeadline: env.RISKQ_ON_DEADLINE,
    deadlineMarginMs: env.RISKQ_DEADLINE_MARGIN_MS,
    lingerMs: env.BATCH_LINGER_MS,
    concurrency: env.WORKER_CONCURRENCY,
    maxAttempts: env.JOB_ATTEMPTS,
    defaultModelVersion: env.ALIPAY_MODEL_VERSION,
    expiredPolicy: env.EXPIRED_POLICY,
    maxRateLimitWaitMs: env.RATE_LIMIT_MAX_WAIT_MS,
    lockMs: env.JOB_LOCK_MS,
    keyProbeCron: env.WORKER_KEY_PROBE_CRON,
  };
}
