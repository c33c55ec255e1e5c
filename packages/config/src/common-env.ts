import { parseRedisUrl } from "@riskq/redis";
import { z } from "zod";
import { field } from "./field";
import { sensitive } from "./sensitive-fields";
import { oneOf } from "./text-fields";

/** Log levels pino knows, plus `silent`. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * Variables most riskq apps share (docs/architecture.md, "Fixed names and settings"). Extend it per app:
 * `riskqCommonEnv.extend({ SANDBOX_PORT: port(8787) })`.
 */
export const riskqCommonEnv = z.object({
  // One server (redis://, rediss://) or a Redis Cluster's seed nodes (redis-cluster://h:p,h:p).
  // Sensitive: the URL may carry Redis's password, so errors never quote it (and REDIS_URL_FILE works).
  REDIS_URL: sensitive(
    field("redis://host:port, rediss://…, or redis-cluster://host:port[,host:port…]", (raw) => {
      try {
        parseRedisUrl(raw);
        return { ok: true, value: raw };
      } catch {
        return { ok: false };
      }
    }),
  ).default("redis://127.0.0.1:6379"),
  // A hash tag keeps every key of riskq in one Redis Cluster slot, so Lua scripts may touch any of them.
  RISKQ_PREFIX: field("a key prefix containing a {hash tag}, e.g. {riskq}", (raw) =>
    /\{[^{}]+\}/.test(raw) ? { ok: true, value: raw } : { ok: false },
  ).default("{riskq}"),
  NODE_ENV: oneOf(["development", "test", "production"], "development"),
  LOG_LEVEL: oneOf(LOG_LEVELS, "info"),
});

/** The parsed common variables. */
export type RiskqCommonEnv = z.output<typeof riskqCommonEnv>;
