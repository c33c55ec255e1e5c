import type { Logger } from "@riskq/observability";
import type { Redis } from "ioredis";
import type { AlertKeys } from "./alert-keys";
import { type AlertmanagerAlert, alertmanagerAlert, type GroupState } from "./alertmanager-alert";
import { postAlertmanager } from "./alertmanager-post";

export interface AlertmanagerSettings {
  /** Alertmanager base URLs (e.g. http://alertmanager:9093); an HA pair gets every alert. */
  urls: readonly string[];
  /** A firing group is posted again this often (default 1 min)… */
  resendMs: number;
  /** …with endsAt this far ahead (default 4 × resend): a dead alerter's alerts resolve by themselves. */
  endsAfterMs: number;
  timeoutMs: number;
  /** The alerter's resolve-after: a group this quiet, with nothing unsent, is over. */
  resolveAfterMs: number;
  /** First retry delay after a failed post, doubled up to `resendMs`. */
  retryBaseMs: number;
  dashboardUrl: string;
  runbookUrl: string;
}

/** Groups looked at per sync; past it the oldest-due first (bounded work and body per tick). */
const MAX_GROUPS = 500;

/** What one sync posted (for logs and tests). */
export interface AlertmanagerSyncReport {
  firing: string[];
  resolved: string[];
  errors: string[];
}

/**
 * Keeps Alertmanager's view of the alert groups current, beside the webhook notices. Alertmanager
 * resolves an alert whose endsAt passes, so a firing group is posted again every `resendMs` with
 * endsAt `endsAfterMs` ahead, and at once when a tick folded news. A group that is over (quiet for
 * resolve-after, nothing unsent, or gone) is posted once more with endsAt = now: resolved. What was
 * posted as firing is remembered in Redis (`<prefix>:alerts:alertmanager`), so a restarted alerter
 * or another replica still resolves it. Every replica syncs: posting the same alert twice is
 * harmless, Alertmanager keeps one per label set.
 */
export function createAlertmanagerSync(options: {
  redis: Redis;
  keys: AlertKeys;
  settings: AlertmanagerSettings;
  logger: Pick<Logger, "info" | "warn">;
}) {
  const { redis, keys, settings, logger } = options;
  const postedKey = keys.alertmanager;
  let nextSyncAt = 0;
  let failures = 0;

  function isActive(state: GroupState, now: number): boolean {
    if (!state.last_event_at) return false;
    const pending = Number(state.count ?? 0) > Number(state.notified_count ?? 0);
    return pending || now - Number(state.last_event_at) < settings.resolveAfterMs;
  }

  /** The state of every live group (those with a timer) and of every group posted as firing. */
  async function readGroups(posted: readonly string[]): Promise<Map<string, GroupState>> {
    const due = await redis.zrange(keys.due, 0, MAX_GROUPS - 1);
    const groupKeys = [...new Set([...due, ...posted])];
    const pipeline = redis.pipeline();
    for (const gk of groupKeys) pipeline.hgetall(keys.group(gk).state);
    const replies = (await pipeline.exec()) ?? [];
    return new Map(groupKeys.map((gk, i) => [gk, (replies[i]?.[1] as GroupState | undefined) ?? {}]));
  }

  /**
   * Posts at once when something `changed`, else when the resend is due; no-op otherwise. After a
   * failed post it waits for the retry whatever changed, so an outage is not hammered every tick.
   */
  async function sync(now: number, changed: boolean): Promise<AlertmanagerSyncReport | undefined> {
    if (settings.urls.length === 0) return undefined;
    if (now < nextSyncAt && (!changed || failures > 0)) return undefined;
    const posted = await redis.hgetall(postedKey);
    const groups = await readGroups(Object.keys(posted));
    const firing = new Map<string, AlertmanagerAlert>();
    const resolved = new Map<string, AlertmanagerAlert>();
    for (const [gk, state] of groups) {
      if (isActive(state, now)) {
        firing.set(gk, alertmanagerAlert(state, { ...settings, endsAt: now + settings.endsAfterMs }));
      } else if (posted[gk]) {
        const last = JSON.parse(posted[gk]) as AlertmanagerAlert;
        resolved.set(gk, { ...last, endsAt: new Date(now).toISOString() });
      }
    }
    const report: AlertmanagerSyncReport = {
      firing: [...firing.keys()],
      resolved: [...resolved.keys()],
      errors: [],
    };
    if (firing.size + resolved.size === 0) {
      nextSyncAt = now + settings.resendMs;
      return report;
    }

    const alerts = [...firing.values(), ...resolved.values()];
    const results = await Promise.all(
      settings.urls.map((url) => postAlertmanager(url, alerts, settings.timeoutMs)),
    );
    for (const r of results) if (!r.ok) report.errors.push(r.error);

    const tx = redis.multi();
    // Firing as soon as one Alertmanager has it: its resolution must then be sent to all of them.
    if (report.errors.length < results.length)
      for (const [gk, alert] of firing) tx.hset(postedKey, gk, JSON.stringify(alert));
    for (const gk of resolved.keys()) {
      // Forgotten once every Alertmanager took the resolution, or once the firing post's endsAt
      // has passed anyway (an Alertmanager down that long resolved it by itself).
      const expired = Date.parse(JSON.parse(posted[gk]!).endsAt) <= now;
      if (report.errors.length === 0 || expired) tx.hdel(postedKey, gk);
    }
    await tx.exec();

    if (report.errors.length === 0) {
      failures = 0;
      nextSyncAt = now + settings.resendMs;
      // The periodic re-posts of unchanged alerts are not news: logged only with news.
      if (changed || resolved.size > 0)
        logger.info({ firing: firing.size, resolved: resolved.size }, "alerts posted to Alertmanager");
    } else {
      failures += 1;
      const retryIn = Math.min(settings.resendMs, settings.retryBaseMs * 2 ** (failures - 1));
      nextSyncAt = now + retryIn;
      logger.warn(
        { errors: report.errors, firing: firing.size, resolved: resolved.size, retryIn },
        "posting alerts to Alertmanager failed; retrying (check its URL, that it is up and answers POST /api/v2/alerts)",
      );
    }
    return report;
  }

  return { sync };
}
