import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { SandboxProcess } from "@riskq/testing";

/**
 * Variables a developer's shell may set that would change what a child app does in a test; they are
 * dropped from the inherited environment so that only what the test states applies.
 */
const APP_KNOBS =
  /^(SANDBOX_|RISKQ_|ALIPAY_|API_|WORKER_|BATCH_|JOB_|EXPIRED_|RATE_LIMIT_|SHUTDOWN_|DASHBOARD_)|^(LOG_LEVEL|REDIS_URL)$/;

/** The parent's environment (PATH and friends, which tsx needs) minus riskq's own knobs. */
export function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !APP_KNOBS.test(name)) env[name] = value;
  }
  return env;
}

/** A fresh RISKQ_SECRET_KEY (base64 of 32 bytes): the API and every worker of a stack share it. */
export function newSecretKey(): string {
  return randomBytes(32).toString("base64");
}

export interface SharedAppEnv {
  redisUrl: string;
  prefix: string;
  secretKey: string;
  sandbox: Pick<SandboxProcess, "url" | "appId" | "keysDir">;
  logLevel?: string;
}

/** What the API and the workers both need: Redis and its prefix, the sandbox as Alipay, its keys, the secret. */
export function sharedAppEnv(options: SharedAppEnv): Record<string, string> {
  return {
    ...inheritedEnv(),
    NODE_ENV: "test",
    LOG_LEVEL: options.logLevel ?? "warn",
    REDIS_URL: options.redisUrl,
    RISKQ_PREFIX: options.prefix,
    RISKQ_SECRET_KEY: options.secretKey,
    ALIPAY_ENDPOINT: options.sandbox.url,
    ALIPAY_APP_ID: options.sandbox.appId,
    ALIPAY_APP_PRIVATE_KEY_FILE: join(options.sandbox.keysDir, "app-private.pem"),
    ALIPAY_PLATFORM_PUBLIC_KEY_FILE: join(options.sandbox.keysDir, "platform-public.pem"),
    // A stack runs several workers on one host: each serves /metrics on a port of its own.
    WORKER_METRICS_PORT: "0",
  };
}
