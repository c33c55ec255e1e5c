import type { Logger } from "@riskq/observability";
import type { Redis } from "ioredis";
import type { AlertKeys } from "./alert-keys";
import { type AlertNotification, alertNotificationSchema } from "./alert-notification";
import { LEASE_NOTIFICATION, runScript } from "./alert-scripts";
import { slackMessage } from "./slack-message";
import { postWebhook, receiverId, receiverLabel } from "./webhook-delivery";

export interface DeliverySettings {
  webhookUrls: readonly string[];
  dashboardUrl: string;
  /** Per POST. */
  timeoutMs: number;
  /** How long a replica holds a notification it is sending before others may take it over. */
  leaseMs: number;
  /** Backoff after the n-th failed attempt: base·2^(n-1), at most max. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A notification still undelivered this long after it was claimed is dropped (logged in full). */
  giveUpAfterMs: number;
}

export type DeliveryOutcome = "delivered" | "retrying" | "dropped";

/**
 * Delivers the outbox: each due notification is leased (one replica at a time), POSTed to every
 * receiver that does not have it yet, then removed — or rescheduled with exponential backoff. A
 * receiver that accepted is remembered, so a retry only goes to those that failed. Without any
 * webhook the notification is logged instead (and counts as delivered).
 */
export function createOutboxDelivery(options: {
  redis: Redis;
  keys: AlertKeys;
  settings: DeliverySettings;
  logger: Pick<Logger, "info" | "warn" | "error">;
}) {
  const { redis, keys, settings, logger } = options;

  async function deliverOne(id: string, now: number): Promise<DeliveryOutcome | undefined> {
    const entryKey = keys.notification(id);
    const leased = (await runScript(
      redis,
      LEASE_NOTIFICATION,
      [keys.outbox, entryKey],
      [id, now, settings.leaseMs],
    )) as string[] | null;
    if (!leased) return undefined;
    const entry = new Map<string, string>();
    for (let i = 0; i + 1 < leased.length; i += 2) entry.set(leased[i]!, leased[i + 1]!);

    let notification: AlertNotification;
    try {
      notification = alertNotificationSchema.parse(JSON.parse(entry.get("notification") ?? ""));
    } catch (err) {
      logger.error({ notice: id, err }, "unreadable alert notification dropped");
      await redis.multi().del(entryKey).zrem(keys.outbox, id).exec();
      return "dropped";
    }
    const message = slackMessage(notification, settings.dashboardUrl);
    const about = {
      alert: notification.kind,
      group: notification.group,
      notice: id,
      status: notification.status,
    };

    if (settings.webhookUrls.length === 0) {
      logger.warn({ ...about, text: message.text }, "alert (no webhook configured)");
      await redis.multi().del(entryKey).zrem(keys.outbox, id).exec();
      return "delivered";
    }

    const pending = settings.webhookUrls.filter((url) => !entry.has(`sent:${receiverId(url)}`));
    const results = await Promise.all(
      pending.map(async (url) => ({ url, result: await postWebhook(url, message, settings.timeoutMs) })),
    );
    const failed = results.filter((r) => !r.result.ok);
    const tx = redis.multi();
    for (const { url, result } of results) if (result.ok) tx.hset(entryKey, `sent:${receiverId(url)}`, now);

    let outcome: DeliveryOutcome;
    if (failed.length === 0) {
      tx.del(entryKey).zrem(keys.outbox, id);
      logger.info({ ...about, receivers: settings.webhookUrls.length }, "alert delivered");
      outcome = "delivered";
    } else {
      const attempts = Number(entry.get("attempts") ?? 0) + 1;
      const errors = failed.map((f) => `${receiverLabel(f.url)}: ${f.result.ok ? "" : f.result.error}`);
      if (now - Number(entry.get("created_at") ?? now) >= settings.giveUpAfterMs) {
        // The full text goes to the log, so the alert still exists somewhere an operator looks.
        logger.error({ ...about, attempts, errors, text: message.text }, "alert undeliverable; dropped");
        tx.del(entryKey).zrem(keys.outbox, id);
        outcome = "dropped";
      } else {
        const retryAt = now + Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** (attempts - 1));
        logger.warn({ ...about, attempts, errors, retryAt }, "alert delivery failed; retrying");
        tx.hset(entryKey, "attempts", attempts).zadd(keys.outbox, retryAt, id);
        outcome = "retrying";
      }
    }
    await tx.exec();
    return outcome;
  }

  return {
    /** Attempts every notification due at `now`; returns what became of each one this replica took. */
    async deliverDue(now: number): Promise<Map<string, DeliveryOutcome>> {
      const outcomes = new Map<string, DeliveryOutcome>();
      const due = await redis.zrangebyscore(keys.outbox, "-inf", now, "LIMIT", 0, 50);
      for (const id of due) {
        const outcome = await deliverOne(id, now);
        if (outcome) outcomes.set(id, outcome);
      }
      return outcomes;
    },
  };
}
