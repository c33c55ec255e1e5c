import { setTimeout as sleep } from "node:timers/promises";
import type { DeadLetter } from "@riskq/contracts";
import {
  type AlertmanagerProcess,
  createTestRedis,
  type GettableAlert,
  startAlertmanager,
  type TestRedis,
} from "@riskq/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { alertKeys, createAlerter, deadLetterAlert, publishAlert } from "../src/index";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver";

const FINGERPRINT = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const TOKEN = "authusrB5a6c7d8e9f0a1b2c3d4e5f6a7b8c9d0";

let redis: TestRedis;
let receiver: WebhookReceiver;
let alertmanager: AlertmanagerProcess;

beforeEach(async () => {
  redis = await createTestRedis();
  receiver = await startWebhookReceiver();
  alertmanager = await startAlertmanager(receiver.url);
}, 60_000);
afterEach(async () => {
  await alertmanager.stop();
  await receiver.close();
  await redis.cleanup();
});

/** A silent-drop dead letter whose last error quotes a token and a card fingerprint. */
const letter = (jobId: string): DeadLetter => ({
  source_queue: "score",
  job_id: jobId,
  payload: {},
  reason: "silent_drop",
  last_error: {
    code: "silent_drop",
    message: `items left out (access_token=${TOKEN}, card fingerprint ${FINGERPRINT})`,
  },
  attempts: [{ at: Date.now(), code: "silent_drop" }],
  first_seen: Date.now(),
  dead_at: Date.now(),
  redrive_count: 0,
});

/** Polls `read` until it returns something (a generous hang guard, no timing assertion). */
async function eventually<T>(
  what: string,
  read: () => Promise<T | undefined>,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

const ours = (alerts: GettableAlert[]) =>
  alerts.find((a) => a.labels.alertname === "RiskqDeadLetter" && a.labels.reason === "silent_drop");

describe("alerts to Alertmanager (Debian's prometheus-alertmanager)", () => {
  it("a dead letter's alert arrives, is posted again before its endsAt while the group fires, and resolves once it is over", async () => {
    const alerter = createAlerter({
      redis: redis.redis,
      prefix: redis.prefix,
      webhookUrls: [],
      alertmanagerUrls: [alertmanager.url],
      alertmanagerResendMs: 300,
      // Far beyond the test: an alert that resolves here was resolved by the alerter's post.
      alertmanagerEndsAfterMs: 10 * 60_000,
      // A group is over once everything in it was notified and it was quiet for resolve-after.
      groupWaitMs: 0,
      groupIntervalMs: 1_000,
      resolveAfterMs: 3_000,
      pollMs: 100,
      dashboardUrl: "http://board.example:3001",
    });
    alerter.start();
    try {
      await publishAlert(redis.redis, { prefix: redis.prefix }, deadLetterAlert(letter("m1-j1")));
      const firing = await eventually("the alert in Alertmanager", async () =>
        ours(await alertmanager.alerts()),
      );
      expect(firing.status.state).toBe("active");
      expect(firing.labels).toEqual({
        alertname: "RiskqDeadLetter",
        severity: "warning",
        service: "riskq",
        kind: "dead_letter",
        group: "score-dead/silent_drop",
        queue: "score-dead",
        reason: "silent_drop",
      });
      expect(firing.annotations.summary).toBe("Dead letters: silent_drop in score-dead");
      expect(firing.annotations.runbook_url).toBe("docs/runbook.md#riskqdeadlettersrising");
      expect(firing.annotations.description).toContain("job m1-j1 dead-lettered as silent_drop");
      expect(firing.generatorURL).toBe("http://board.example:3001/admin/queues/queue/score-dead");
      expect(Date.parse(firing.endsAt)).toBeGreaterThan(Date.now() + 60_000);
      // No secret and no card fingerprint reached Alertmanager, only the masked form.
      const everything = JSON.stringify(await alertmanager.alerts());
      expect(everything).not.toContain(TOKEN);
      expect(everything).not.toContain(FINGERPRINT);
      expect(everything).toContain("9f86d0…0a08");

      // While the group keeps firing (another dead letter) the alert is posted again: endsAt moves on.
      await publishAlert(redis.redis, { prefix: redis.prefix }, deadLetterAlert(letter("m1-j2")));
      await eventually("a re-post moving endsAt", async () => {
        const now = ours(await alertmanager.alerts());
        return now && Date.parse(now.endsAt) > Date.parse(firing.endsAt) ? now : undefined;
      });
      // The receiver Alertmanager notifies got it as firing.
      await receiver.until(() => notices("firing").length > 0, 45_000);

      // Quiet for resolve-after: the alerter posts it resolved, long before its endsAt would pass.
      await eventually("the alert resolved", async () =>
        ours(await alertmanager.alerts()) ? undefined : true,
      );
      await receiver.until(() => notices("resolved").length > 0, 45_000);
      const [resolved] = notices("resolved");
      expect(Date.parse(resolved!.endsAt)).toBeLessThan(Date.now() + 60_000);
      expect(await redis.redis.hlen(alertKeys(redis.prefix).alertmanager)).toBe(0);
    } finally {
      await alerter.stop();
    }
  }, 180_000);

  it("many groups go in bounded posts: at most 50 alerts each, every group once", async () => {
    const recorder = await startWebhookReceiver();
    const alerter = createAlerter({
      redis: redis.redis,
      prefix: redis.prefix,
      webhookUrls: [],
      alertmanagerUrls: [recorder.url],
      groupWaitMs: 0,
      now: () => {
        throw new Error("the test drives tick(now)");
      },
    });
    try {
      for (let i = 0; i < 120; i += 1)
        await publishAlert(
          redis.redis,
          { prefix: redis.prefix },
          { kind: "dead_letter", subject: "score-dead", reason: `reason_${i}`, message: `dead ${i}` },
        );
      const t0 = Date.now();
      const report = await alerter.tick(t0);
      expect(report.alertmanager?.firing).toHaveLength(120);
      expect(report.alertmanager?.errors).toEqual([]);
      const bodies = recorder.requests.map((r) => r.body as Array<{ labels: Record<string, string> }>);
      expect(bodies.map((b) => b.length)).toEqual([50, 50, 20]);
      const reasons = new Set(bodies.flat().map((a) => a.labels.reason));
      expect(reasons.size).toBe(120);
    } finally {
      await recorder.close();
    }
  });

  it("a redirect is not followed: the alert stays unposted and is retried", async () => {
    const redirecting = await startWebhookReceiver(() => 307);
    const alerter = createAlerter({
      redis: redis.redis,
      prefix: redis.prefix,
      webhookUrls: [],
      alertmanagerUrls: [redirecting.url],
      groupWaitMs: 0,
      now: () => {
        throw new Error("the test drives tick(now)");
      },
    });
    try {
      await publishAlert(redis.redis, { prefix: redis.prefix }, deadLetterAlert(letter("m1-j3")));
      const t0 = Date.now();
      const report = await alerter.tick(t0);
      expect(report.alertmanager?.firing).toEqual(["dead_letter|score-dead/silent_drop"]);
      expect(report.alertmanager?.errors).toEqual([expect.stringContaining("redirects are not followed")]);
      // Never remembered as posted, so nothing claims Alertmanager has it.
      expect(await redis.redis.hlen(alertKeys(redis.prefix).alertmanager)).toBe(0);
      expect(redirecting.requests).toHaveLength(1);
      // Retried after the backoff (1 s at first), not at every tick before it.
      expect((await alerter.tick(t0 + 500)).alertmanager).toBeUndefined();
      expect((await alerter.tick(t0 + 1_000)).alertmanager?.firing).toHaveLength(1);
      expect(redirecting.requests).toHaveLength(2);
    } finally {
      await redirecting.close();
    }
  });
});

/** Alerts of riskq's dead-letter group in the notifications Alertmanager sent with `status`. */
function notices(status: "firing" | "resolved"): Array<{ endsAt: string; labels: Record<string, string> }> {
  return receiver
    .accepted()
    .flatMap(
      (body) =>
        (body as { alerts: Array<{ status: string; endsAt: string; labels: Record<string, string> }> })
          .alerts,
    )
    .filter((a) => a.status === status && a.labels.alertname === "RiskqDeadLetter");
}
