import { z } from "zod";
import { field } from "./field";
import { oneOf, url } from "./text-fields";

/** Log levels pino knows, plus `silent`. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * Variables most riskq apps share (DESIGN: fixed contracts). Extend it per app:
 * `riskqCommonEnv.extend({ SANDBOX_PORT: port(8787) })`.
 */
export const riskqCommonEnv = z.object({
  REDIS_URL: url("redis://127.0.0.1:6379", { protocols: ["redis:", "rediss:"] }),
  // A hash tag keeps every key of riskq in one Redis Cluster slot, so Lua scripts may touch any of them.
  RISKQ_PREFIX: field("a key prefix containing a {hash tag}, e.g. {riskq}", (raw) =>
    /\{[^{}]+\}/.test(raw) ? { ok: true, value: raw } : { ok: false },
  ).default("{riskq}"),
  NODE_ENV: oneOf(["development", "test", "production"], "development"),
  LOG_LEVEL: oneOf(LOG_LEVELS, "info"),
});

/** The parsed common variables. */
export type RiskqCommonEnv = z.output<typeof riskqCommonEnv>;
