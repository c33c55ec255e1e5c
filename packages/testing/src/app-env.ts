import { join } from "node:path";

/**
 * Variables a developer's shell may set that would change what a child app does (a prefix, a port,
 * another Alipay endpoint): dropped from the inherited environment, so only what the caller states
 * applies — in tests, benches and the demo alike (OTEL_*: a developer's collector gets no test spans).
 */
const APP_KNOBS =
  /^(SANDBOX_|RISKQ_|ALIPAY_|API_|WORKER_|BATCH_|JOB_|EXPIRED_|RATE_LIMIT_|SHUTDOWN_|DASHBOARD_|DRIFT_|SCHEDULER_|METRICS_|TOKEN_REFRESH_|KEY_|ALERT_|CALLBACK_|COST_|OTEL_)|^(LOG_LEVEL|REDIS_URL|REDIS_URL_FILE|NODE_ENV)$/;

/** The parent's environment (PATH and friends, which tsx needs) minus riskq's own knobs. */
export function inheritedEnv(parent: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && !APP_KNOBS.test(name)) env[name] = value;
  }
  return env;
}

export interface SharedAppEnvOptions {
  /** The environment to inherit from (the caller's `process.env`). */
  parent: NodeJS.ProcessEnv;
  nodeEnv: "development" | "test";
  logLevel: string;
  redisUrl: string;
  prefix: string;
  /** base64 of 32 bytes, the same in every app (tokens and keys are sealed with it). */
  secretKey: string;
  sandbox: { url: string; appId: string; keysDir: string };
}

/** What the API, the workers and the scheduler all need: Redis and the prefix, the sandbox as Alipay. */
export function sharedAppEnv(options: SharedAppEnvOptions): Record<string, string> {
  return {
    ...inheritedEnv(options.parent),
    NODE_ENV: options.nodeEnv,
    LOG_LEVEL: options.logLevel,
    REDIS_URL: options.redisUrl,
    RISKQ_PREFIX: options.prefix,
    RISKQ_SECRET_KEY: options.secretKey,
    ALIPAY_ENDPOINT: options.sandbox.url,
    ALIPAY_APP_ID: options.sandbox.appId,
    ALIPAY_APP_PRIVATE_KEY_FILE: join(options.sandbox.keysDir, "app-private.pem"),
    ALIPAY_PLATFORM_PUBLIC_KEY_FILE: join(options.sandbox.keysDir, "platform-public.pem"),
  };
}
