import {
  API_DEV_KEY,
  alipayClientConfig,
  alipayEnv,
  appRoot,
  callbackSecretEnv,
  LOG_LEVELS,
  loadConfig,
  oneOf,
  riskqCommonEnv,
  secret,
  url,
} from "@riskq/config";
import { z } from "zod";

// The only file of the CLI that reads process.env. Each command loads just the part it needs, so a
// command that only talks to the API never asks for Redis or Alipay settings, and vice versa.

/** The repository root (or the image's app folder), whatever folder the CLI is started from. */
const REPO_ROOT = appRoot(import.meta.url);

/** Where dev-default warnings go (stderr, through the dispatcher). */
export type Warn = (text: string) => void;

// The API's own development key (API_DEV_KEY): with neither variable set, the CLI and `pnpm api` agree.
const apiEnv = z.object({
  RISKQ_API_URL: url("http://127.0.0.1:3000", { protocols: ["http:", "https:"] }),
  RISKQ_API_KEY: secret({
    devDefault: API_DEV_KEY,
    describe: "one of the API's RISKQ_API_KEYS, sent as the bearer key",
  }),
});

// Quieter than the apps: a CLI's stderr is for the operator, not for info lines of the clients.
const redisEnv = riskqCommonEnv.extend({ LOG_LEVEL: oneOf(LOG_LEVELS, "warn") });

const modelsEnv = redisEnv.extend({
  // The same variables the workers route by; the CLI shows what a worker with them would do.
  ALIPAY_MODEL_VERSION: z.string().min(1).default("risk-v3-2026-11"),
  ALIPAY_FALLBACK_MODEL_VERSION: z.string().min(1).optional(),
});

function load<S extends z.ZodObject>(schema: S, warn: Warn): z.output<S> {
  const { config, warnings } = loadConfig(schema, process.env);
  for (const warning of warnings) warn(warning);
  return config;
}

/** The HTTP API and its bearer key (enqueue, status, dlq, merchants add). */
export const apiConfig = (warn: Warn) => load(apiEnv, warn);
export type ApiConfig = z.output<typeof apiEnv>;

/** The workers' master callback secret (callbacks secret). */
export const callbackConfig = (warn: Warn) => load(callbackSecretEnv, warn);

/** Redis and the key prefix (models status). */
export const redisConfig = (warn: Warn) => load(redisEnv, warn);

/** Redis plus the configured default and fallback models (models status). */
export const modelsConfig = (warn: Warn) => load(modelsEnv, warn);

/**
 * Redis plus everything `createAlipayClient` takes, key files read (merchants list, keys): tokens
 * and AES keys are sealed with RISKQ_SECRET_KEY, so reading them needs the same key as the workers.
 * @throws ConfigError naming the variable when a key file is missing.
 */
export function alipayConfig(warn: Warn) {
  const env = load(redisEnv.merge(alipayEnv(REPO_ROOT)), warn);
  return { ...env, client: alipayClientConfig(env) };
}
export type AlipayConfig = ReturnType<typeof alipayConfig>;
