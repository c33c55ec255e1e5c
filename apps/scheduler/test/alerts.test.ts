import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type AlertEvent, alertKeys, alertPublisher, publishAlert } from "@riskq/alerts";
import { type KnownKey, SecretBox } from "@riskq/alipay";
import type { MaintenanceJobData } from "@riskq/pipeline";
import { generateMerchants } from "@riskq/synthetic";
import { startAlertmanager, startAppProcess } from "@riskq/testing";
import type { Job } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { createMaintenanceProcessor } from "../src/maintenance-processor";
import { MAINTENANCE_JOBS } from "../src/schedules";
import { schedulerProcessEnv, testLogger, useSchedulerKit } from "./support/scheduler-harness";

const suite = useSchedulerKit();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A Slack-style webhook receiver accepting everything. */
async function webhookReceiver() {
  const bodies: Array<{ text: string; blocks: unknown[] }> = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    bodies.push(JSON.parse(body));
    res.writeHead(200).end("ok");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(async () => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

async function until(
  check: () => boolean,
  what: string,
  timeoutMs = 15_000,
  refresh?: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await refresh?.();
    if (check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const job = (name: string) => ({ name, id: `test-${name}` }) as Job<MaintenanceJobData>;

describe("scheduler alerts", () => {
  it("a scheduler process runs the alerter: a worker's dead-letter alert reaches the webhook with its Bull Board link", async () => {
    const receiver = await webhookReceiver();
    const scheduler = await startAppProcess({
      name: "scheduler",
      script: "apps/scheduler/src/main.ts",
      env: schedulerProcessEnv(suite.sandbox, suite.kit, {
        RISKQ_ALERT_WEBHOOK_URLS: `${receiver.url},`,
        DASHBOARD_URL: "https://ops.example/riskq/",
        ALERT_GROUP_WAIT_MS: "100",
      }),
      readyEvent: "scheduler-ready",
      startTimeoutMs: 40_000,
    });
    cleanups.push(() => scheduler.stop());

    await publishAlert(
      suite.kit.connection,
      { prefix: suite.kit.prefix },
      {
        kind: "dead_letter",
        subject: "score-dead",
        reason: "timeout",
        job_id: "2088000000000001-order-7",
        message: "job 2088000000000001-order-7 dead-lettered as timeout after 8 attempts",
        error: "timeout: no answer within 10 s",
      },
    );
    await until(() => receiver.bodies.length === 1, "the dead-letter notice");
    await scheduler.stop();

    const [body] = receiver.bodies;
    expect(body!.text).toContain(
      "[riskq] FIRING Dead letters: timeout in score-dead — 1 dead letter (1 new)",
    );
    expect(JSON.stringify(body!.blocks)).toContain(
      '"url":"https://ops.example/riskq/admin/queues/queue/score-dead"',
    );
  });

  it("with RISKQ_ALERTMANAGER_URL a scheduler process posts the dead-letter alert to Alertmanager too", async () => {
    const receiver = await webhookReceiver();
    const alertmanager = await startAlertmanager(receiver.url);
    cleanups.push(() => alertmanager.stop());
    const scheduler = await startAppProcess({
      name: "scheduler",
      script: "apps/scheduler/src/main.ts",
      env: schedulerProcessEnv(suite.sandbox, suite.kit, {
        RISKQ_ALERTMANAGER_URL: `${alertmanager.url}/`,
        ALERT_GROUP_WAIT_MS: "0",
      }),
      readyEvent: "scheduler-ready",
      startTimeoutMs: 40_000,
    });
    cleanups.push(() => scheduler.stop());

    await publishAlert(
      suite.kit.connection,
      { prefix: suite.kit.prefix },
      {
        kind: "dead_letter",
        subject: "score-dead",
        reason: "upstream_error",
        job_id: "2088000000000001-order-8",
        message: "job 2088000000000001-order-8 dead-lettered as upstream_error after 8 attempts",
        error: "upstream_error: HTTP 503",
      },
    );
    let alerts: Awaited<ReturnType<typeof alertmanager.alerts>> = [];
    await until(
      () => alerts.length > 0,
      "the alert in Alertmanager",
      30_000,
      async () => {
        alerts = await alertmanager.alerts();
      },
    );
    expect(alerts[0]!.labels).toMatchObject({
      alertname: "RiskqDeadLetter",
      queue: "score-dead",
      reason: "upstream_error",
      severity: "warning",
    });
    expect(alerts[0]!.annotations.runbook_url).toBe("docs/runbook.md#riskqdeadlettersrising");
  });

  it("token refresh and key health publish their alerts (merchant to re-authorise, rejected key)", async () => {
    const { kit } = suite;
    const alipay = kit.client();
    const queue = kit.maintenanceQueue();
    const processor = createMaintenanceProcessor({
      alipay,
      queue,
      now: kit.now,
      logger: testLogger,
      prefix: kit.prefix,
      publishAlert: alertPublisher(kit.connection, { prefix: kit.prefix }),
    });

    // A merchant whose stored refresh token Alipay already consumed: the next refresh revokes it.
    const [revoked] = generateMerchants({ seed: 71, count: 1 }).map((m) => m.merchant_id) as [string];
    await kit.onboard(alipay, [revoked]);
    const tokenKey = `${kit.prefix}:merchant:${revoked}:token`;
    const spent = await kit.connection.hget(tokenKey, "sealed");
    await alipay.refreshMerchantToken(revoked);
    await kit.connection.hset(tokenKey, "sealed", spent!);
    await kit.advance(10 * MINUTE);
    await processor(job(MAINTENANCE_JOBS.tokenRefresh));

    // A key Alipay never issued, sealed into the store as the client seals its key list.
    const name = `${kit.prefix}:alipay:aes-keys`;
    const bogus: KnownKey = {
      keyId: "k-bogus-02",
      aesKey: randomBytes(16).toString("base64"),
      notBefore: kit.now() - HOUR,
      expiresAt: kit.now() + 7 * 24 * HOUR,
    };
    await kit.connection.set(name, new SecretBox(kit.secretKey).seal(JSON.stringify([bogus]), name));
    await processor(job(MAINTENANCE_JOBS.keyHealth));

    const entries = await kit.connection.xrange(alertKeys(kit.prefix).events, "-", "+");
    const events = entries.map(([, fields]) => JSON.parse(fields[1]!) as AlertEvent);
    expect(events).toEqual([
      expect.objectContaining({ kind: "merchant_reauth_required", group: revoked, subject: revoked }),
      expect.objectContaining({ kind: "key_health_failed", group: "aes-key", subject: "k-bogus-02" }),
    ]);
    // The key itself never reaches the alert.
    expect(JSON.stringify(events)).not.toContain(bogus.aesKey);
  });
});
