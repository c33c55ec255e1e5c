import { alipayEnv, appRoot, field, integer, portOrOff, riskqCommonEnv, sensitive, url } from "@riskq/config";
import { z } from "zod";

/** The repository root (or the image's app folder), whatever folder the scheduler is started from. */
const REPO_ROOT = appRoot(import.meta.url);

/**
 * Comma-separated http(s) URLs, empty: none. Checked at start so a typo fails loudly instead of
 * every alert being undeliverable. Sensitive: a Slack webhook URL carries its token in the path, an
 * Alertmanager URL may carry basic-auth credentials, so errors never quote them.
 */
const httpUrls = (description: string) =>
  sensitive(
    field(description, (raw) => {
      const urls = raw
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
      const valid = urls.every((u) => URL.canParse(u) && ["http:", "https:"].includes(new URL(u).protocol));
      return valid ? { ok: true, value: urls } : { ok: false };
    }),
  ).default([]);

/** The scheduler's variables (README, "Environment variables"). */
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
    // The alerter runs in every scheduler replica (docs/operations.md, "Alerts").
    RISKQ_ALERT_WEBHOOK_URLS: httpUrls("comma-separated http(s) URLs"),
    // Alertmanager base URLs (an HA pair: each gets every alert), beside the webhooks.
    RISKQ_ALERTMANAGER_URL: httpUrls("comma-separated http(s) base URLs of Alertmanager"),
    ALERT_ALERTMANAGER_RESEND_MS: integer({ min: 1_000, default: 60_000 }),
    DASHBOARD_URL: url("http://127.0.0.1:3001", { protocols: ["http:", "https:"] }),
    ALERT_GROUP_WAIT_MS: integer({ min: 0, default: 30_000 }),
    ALERT_GROUP_INTERVAL_MS: integer({ min: 1_000, default: 300_000 }),
    ALERT_REPEAT_INTERVAL_MS: integer({ min: 1_000, default: 14_400_000 }),
    ALERT_RESOLVE_AFTER_MS: integer({ min: 1_000, default: 3_600_000 }),
    // GET /metrics of this process (docs/metrics.md, "Metrics"); 0 picks a free port, off serves none.
    SCHEDULER_METRICS_PORT: portOrOff(9465),
    METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  })
  .extend(alipayEnv(REPO_ROOT).shape);
