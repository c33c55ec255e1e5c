import { fileURLToPath } from "node:url";
import { alipayEnv, integer, riskqCommonEnv } from "@riskq/config";
import { z } from "zod";

/** The repository root, whatever folder the scheduler is started from. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The scheduler's variables (README: environment variables). */
export const schedulerEnv = riskqCommonEnv
  .extend({
    TOKEN_REFRESH_EVERY_MS: integer({ min: 1_000, default: 600_000 }),
    KEY_HEALTH_EVERY_MS: integer({ min: 1_000, default: 600_000 }),
    DRIFT_CHECK_EVERY_MS: integer({ min: 1_000, default: 300_000 }),
    // The workers' DRIFT_WINDOW_MS: the windows drift-check reads must be the ones they write.
    DRIFT_WINDOW_MS: integer({ min: 1_000, default: 300_000 }),
    // Read in UTC (the schedule says so); the real rotation follows the keys' own instants.
    KEY_ROTATION_FALLBACK_CRON: z.string().min(9).default("0 * * * *"),
    SCHEDULER_CONCURRENCY: integer({ min: 1, max: 2, default: 2 }),
    SHUTDOWN_GRACE_MS: integer({ min: 0, default: 10_000 }),
  })
  .extend(alipayEnv(REPO_ROOT).shape);
export type SchedulerEnv = z.output<typeof schedulerEnv>;
