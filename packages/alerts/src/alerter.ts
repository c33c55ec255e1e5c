import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "@riskq/observability";
import type { Redis } from "ioredis";
import { alertKeys } from "./alert-keys";
import { CLAIM_GROUP, runScript } from "./alert-scripts";
import { type AlertmanagerSyncReport, createAlertmanagerSync } from "./alertmanager-sync";
import { createEventReader } from "./event-reader";
import { createOutboxDelivery, type DeliveryOutcome } from "./outbox-delivery";

/** Alertmanager-style timing of a group's notifications. */
export interface AlerterTiming {
  /** From a group's first event to its first notice, so a burst arrives as one message (30 s). */
  groupWaitMs: number;
  /** Least time between two notices of a group that has news (5 min). */
  groupIntervalMs: number;
  /** A group still firing with nothing new is notified again after this (4 h). */
  repeatIntervalMs: number;
  /** A group with no event at all for this long is over, silently; the next event opens a new one (1 h). */
  resolveAfterMs: number;
}

export const DEFAULT_ALERTER_TIMING: AlerterTiming = {
  groupWaitMs: 30_000,
  groupIntervalMs: 300_000,
  repeatIntervalMs: 4 * 3_600_000,
  resolveAfterMs: 3_600_000,
};

export interface AlerterOptions extends Partial<AlerterTiming> {
  /** A plain ioredis client (not closed by the alerter). */
  redis: Redis;
  /** The riskq key prefix (`RISKQ_PREFIX`). */
  prefix: string;
  /** Slack-compatible incoming webhooks; none: notifications are only logged. */
  webhookUrls: readonly string[];
  /**
   * Alertmanager base URLs (e.g. http://alertmanager:9093): every group is also posted to their v2
   * API as an alert, kept firing while the group is and resolved when it is over. Beside the
   * webhooks, not instead: leave `webhookUrls` empty for Alertmanager only.
   */
  alertmanagerUrls?: readonly string[];
  /** A firing group is posted to Alertmanager again this often (default 1 min)… */
  alertmanagerResendMs?: number;
  /** …with its endsAt this far ahead (default 4 × the resend), so a dead alerter's alerts resolve. */
  alertmanagerEndsAfterMs?: number;
  /** The runbook the alerts' runbook_url anchors point into (default `docs/runbook.md`, the repository's). */
  runbookUrl?: string;
  /** Where the dashboard is reached, for the Bull Board links (default http://127.0.0.1:3001). */
  dashboardUrl?: string;
  /** The alerter's clock (default the system clock); `tick(now)` may also be driven directly. */
  now?: () => number;
  /** How often `start()` ticks (default 1 s). */
  pollMs?: number;
  /** An event left unacknowledged this long by another replica is taken over (default 30 s). */
  claimIdleMs?: number;
  /** Per webhook POST (default 10 s). */
  deliveryTimeoutMs?: number;
  /** How long a replica holds a notification it is sending (default timeout + 10 s). */
  leaseMs?: number;
  /** First retry delay after a failed delivery, doubled each time (default 1 s), up to `retryMaxMs` (5 min). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Undelivered this long after being claimed, a notification is dropped and logged (default 24 h). */
  giveUpAfterMs?: number;
  /** Most recent job ids shown per notification (default 5). */
  maxSamples?: number;
  /** Where the alerter logs (a pino logger fits); silent without it. */
  logger?: Pick<Logger, "info" | "warn" | "error">;
  /** This replica's consumer name (default host-pid-random). */
  consumer?: string;
}

/** What one tick did (for logs and tests). */
export interface AlerterTickReport {
  folded: number;
  /** Notification ids claimed by this replica. */
  claimed: string[];
  /** Groups that ended silently. */
  resolved: string[];
  deliveries: Map<string, DeliveryOutcome>;
  /** What was posted to Alertmanager this tick, if anything. */
  alertmanager?: AlertmanagerSyncReport;
}

const STATE_TTL_MS = 7 * 86_400_000;
const silentLogger: Pick<Logger, "info" | "warn" | "error"> = { info() {}, warn() {}, error() {} };

/**
 * The alerter: folds alert events into groups (kind, group) and sends each group's notices on the
 * Alertmanager schedule — first after group_wait, then at most one per group_interval while there is
 * news, and again every repeat_interval while the group keeps firing. Any number of replicas may run
 * on one prefix: the state is in Redis and every decision is one atomic script, so a notification is
 * claimed by exactly one replica. A claimed notification sits in the outbox until a receiver accepts
 * it (retried with backoff), so a crash or restart loses neither events, timers nor pending sends.
 */
export function createAlerter(options: AlerterOptions) {
  const timing: AlerterTiming = {
    groupWaitMs: options.groupWaitMs ?? DEFAULT_ALERTER_TIMING.groupWaitMs,
    groupIntervalMs: options.groupIntervalMs ?? DEFAULT_ALERTER_TIMING.groupIntervalMs,
    repeatIntervalMs: options.repeatIntervalMs ?? DEFAULT_ALERTER_TIMING.repeatIntervalMs,
    resolveAfterMs: options.resolveAfterMs ?? DEFAULT_ALERTER_TIMING.resolveAfterMs,
  };
  const { redis } = options;
  const logger = options.logger ?? silentLogger;
  const clock = options.now ?? Date.now;
  const keys = alertKeys(options.prefix);
  const consumer = options.consumer ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 10_000;
  const reader = createEventReader({
    redis,
    keys,
    consumer,
    claimIdleMs: options.claimIdleMs ?? 30_000,
    timing: { ...timing, maxSamples: options.maxSamples ?? 5, stateTtlMs: STATE_TTL_MS },
    logger,
  });
  const dashboardUrl = options.dashboardUrl ?? "http://127.0.0.1:3001";
  const alertmanagerResendMs = options.alertmanagerResendMs ?? 60_000;
  const alertmanager = createAlertmanagerSync({
    redis,
    keys,
    logger,
    settings: {
      urls: options.alertmanagerUrls ?? [],
      resendMs: alertmanagerResendMs,
      endsAfterMs: options.alertmanagerEndsAfterMs ?? 4 * alertmanagerResendMs,
      timeoutMs: deliveryTimeoutMs,
      resolveAfterMs: timing.resolveAfterMs,
      retryBaseMs: options.retryBaseMs ?? 1_000,
      dashboardUrl,
      runbookUrl: options.runbookUrl ?? "docs/runbook.md",
    },
  });
  const outbox = createOutboxDelivery({
    redis,
    keys,
    logger,
    settings: {
      webhookUrls: options.webhookUrls,
      dashboardUrl,
      timeoutMs: deliveryTimeoutMs,
      leaseMs: options.leaseMs ?? deliveryTimeoutMs + 10_000,
      retryBaseMs: options.retryBaseMs ?? 1_000,
      retryMaxMs: options.retryMaxMs ?? 300_000,
      giveUpAfterMs: options.giveUpAfterMs ?? 86_400_000,
    },
  });

  async function claimDueGroups(now: number, report: AlerterTickReport): Promise<void> {
    const due = await redis.zrangebyscore(keys.due, "-inf", now, "LIMIT", 0, 100);
    for (const groupKey of due) {
      const group = keys.group(groupKey);
      const id = `${now}-${randomBytes(4).toString("hex")}`;
      const result = await runScript(
        redis,
        CLAIM_GROUP,
        [group.state, group.seen, group.samples, keys.due, keys.outbox, keys.notification(id)],
        [groupKey, now, timing.repeatIntervalMs, timing.resolveAfterMs, id],
      );
      if (result === "resolved") report.resolved.push(groupKey);
      else if (typeof result === "string") report.claimed.push(id);
    }
  }

  /**
   * One round at time `now`: read and fold events, claim due notices, deliver the outbox, and
   * bring Alertmanager up to date (at once when something changed, else at its resend interval).
   */
  async function tick(now: number = clock()): Promise<AlerterTickReport> {
    const report: AlerterTickReport = { folded: 0, claimed: [], resolved: [], deliveries: new Map() };
    report.folded = await reader.read(now);
    await claimDueGroups(now, report);
    report.deliveries = await outbox.deliverDue(now);
    const changed = report.folded > 0 || report.resolved.length > 0;
    const posted = await alertmanager.sync(now, changed);
    if (posted) report.alertmanager = posted;
    return report;
  }

  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const pollMs = options.pollMs ?? 1_000;

  async function loop(): Promise<void> {
    try {
      await tick(clock());
    } catch (err) {
      logger.error({ err }, "alerter tick failed; retrying at the next one");
    }
    if (!stopped)
      timer = setTimeout(() => {
        running = loop();
      }, pollMs);
  }

  return {
    consumer,
    tick,
    /** Ticks every `pollMs` until `stop()`. */
    start(): void {
      if (!stopped) return;
      stopped = false;
      running = reader
        .pruneConsumers(STATE_TTL_MS)
        .catch((err) => logger.warn({ err }, "could not prune old alerter consumers"))
        .then(loop);
    },
    /** Stops ticking; resolves once the tick in progress (a delivery, say) is over. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      while (running) {
        const current = running;
        await current;
        if (running === current) break;
      }
    },
  };
}

export type Alerter = ReturnType<typeof createAlerter>;
