import { LOG_LEVELS, oneOf, port, riskqCommonEnv } from "@riskq/config";
import { z } from "zod";

/**
 * The demo's variables (README, "Environment variables"). Everything else the apps it starts need is
 * set by the demo itself: a fresh key prefix, secret and API key, the sandbox as Alipay.
 */
export const demoEnv = z.object({
  REDIS_URL: riskqCommonEnv.shape.REDIS_URL,
  // What the apps the demo starts log; their output is kept in memory, not shown, so warn by default.
  LOG_LEVEL: oneOf(LOG_LEVELS, "warn"),
  // Tried first so the printed Bull Board URL is the usual one; a free port when it is taken.
  DASHBOARD_PORT: port(3001),
  // The dashboard's development login, passed to it and printed with its URL.
  DASHBOARD_USER: z.string().min(1).default("riskq"),
  DASHBOARD_PASSWORD: z.string().min(1).default("riskq-development-only-password"),
});
export type DemoEnv = z.output<typeof demoEnv>;
