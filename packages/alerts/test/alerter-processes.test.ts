import { type AppProcess, createTestRedis, startAppProcess, type TestRedis } from "@riskq/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AlertEventInput, alertKeys, publishAlert } from "../src/index";
import {
  headline,
  type Responder,
  startWebhookReceiver,
  type WebhookReceiver,
} from "./support/webhook-receiver";

let redis: TestRedis;
let receiver: WebhookReceiver;
const processes: AppProcess[] = [];

beforeEach(async () => {
  redis = await createTestRedis();
});
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
  await receiver?.close();
  await redis.cleanup();
});

/** An alerter replica (real process, real clock) on the test's prefix; timings in ms. */
async function startAlerter(name: string, settings: Record<string, number>) {
  const env: Record<string, string> = {
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    RISKQ_PREFIX: redis.prefix,
    WEBHOOK_URLS: receiver.url,
    POLL_MS: "20",
    GROUP_INTERVAL_MS: "600000",
    REPEAT_INTERVAL_MS: "3600000",
  };
  for (const [key, value] of Object.entries(settings)) env[key] = String(value);
  const alerter = await startAppProcess({
    name,
    script: "packages/alerts/test/fixtures/alerter-process.ts",
    env,
    readyEvent: "alerter-ready",
  });
  processes.push(alerter);
  return alerter;
}

const deadLetter = (jobId: string, reason = "upstream_error"): AlertEventInput => ({
  kind: "dead_letter",
  subject: "score-dead",
  reason,
  job_id: jobId,
  message: `job ${jobId} dead-lettered as ${reason}`,
  error: "upstream_error: 502 from the gateway",
});
const publish = (event: AlertEventInput) => publishAlert(redis.redis, { prefix: redis.prefix }, event);

/** Polls Redis until `check` holds (state written by a child process). */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("alerter replicas and restarts (real processes)", () => {
  it("two alerters sharing one prefix deliver each group's notice exactly once", async () => {
    receiver = await startWebhookReceiver();
    const settings = { GROUP_WAIT_MS: 1_000, CLAIM_IDLE_MS: 50, POLL_MS: 5 };
    const [a, b] = await Promise.all([
      startAlerter("alerter A", settings),
      startAlerter("alerter B", settings),
    ]);
    // 40 groups, 3 dead letters each, in three waves: both replicas poll, either may read a wave.
    const groups = Array.from({ length: 40 }, (_, g) => `reason_${g}`);
    for (const j of [0, 1, 2]) {
      await Promise.all(groups.map((reason) => publish(deadLetter(`m1-${reason}-${j}`, reason))));
      await new Promise((r) => setTimeout(r, 50));
    }
    await receiver.until(() => receiver.accepted().length >= groups.length);
    // Both replicas ran through the due time of every group; a duplicate would have been sent by now.
    await Promise.all([a.stop(), b.stop()]);

    const headlines = receiver.accepted().map(headline).sort();
    expect(headlines).toEqual(
      groups
        .map((reason) => `[riskq] FIRING Dead letters: ${reason} in score-dead — 3 dead letters (3 new)`)
        .sort(),
    );
    expect(receiver.requests).toHaveLength(groups.length);
  });

  it("an alerter killed with a group timer running and events unread: the next one sends everything, once", async () => {
    receiver = await startWebhookReceiver();
    const keys = alertKeys(redis.prefix);
    const settings = { GROUP_WAIT_MS: 1_500, CLAIM_IDLE_MS: 100 };
    const first = await startAlerter("alerter 1", settings);
    for (const j of [1, 2, 3]) await publish(deadLetter(`m1-j${j}`));
    const group = keys.group("dead_letter|score-dead/upstream_error").state;
    await eventually(
      async () => (await redis.redis.hget(group, "count")) === "3",
      "the first alerter folded 3 events",
    );
    await first.kill();
    expect(receiver.requests).toHaveLength(0);

    // Published while no alerter runs.
    for (const j of [4, 5]) await publish(deadLetter(`m1-j${j}`));
    await publish(deadLetter("m1-t1", "timeout"));
    const second = await startAlerter("alerter 2", settings);
    await receiver.until(() => receiver.accepted().length >= 2);
    await second.stop();

    expect(receiver.accepted().map(headline).sort()).toEqual([
      "[riskq] FIRING Dead letters: timeout in score-dead — 1 dead letter (1 new)",
      "[riskq] FIRING Dead letters: upstream_error in score-dead — 5 dead letters (5 new)",
    ]);
    expect(receiver.requests).toHaveLength(2);
  });

  it("an alerter killed in the middle of a send: the notice stays in the outbox and the next one delivers it", async () => {
    // The first POST never gets an answer (the sender dies waiting); later ones are accepted.
    const respond: Responder = (n) => (n === 0 ? "hang" : 200);
    receiver = await startWebhookReceiver(respond);
    const keys = alertKeys(redis.prefix);
    const settings = { GROUP_WAIT_MS: 200, CLAIM_IDLE_MS: 100, DELIVERY_TIMEOUT_MS: 60_000, LEASE_MS: 1_000 };
    const first = await startAlerter("alerter 1", settings);
    await publish({ kind: "circuit_open", subject: "alipay", message: "calls to alipay are paused" });
    await receiver.until(() => receiver.requests.length === 1);
    expect(await redis.redis.zcard(keys.outbox)).toBe(1);
    await first.kill();

    await startAlerter("alerter 2", settings);
    await receiver.until(() => receiver.accepted().length === 1);
    await eventually(async () => (await redis.redis.zcard(keys.outbox)) === 0, "the outbox is empty");

    expect(receiver.requests.map((r) => r.status)).toEqual(["hang", 200]);
    // The same claimed notice (same id), not a second claim of the group.
    expect(receiver.accepted()[0]).toEqual(receiver.requests[0]!.body);
    expect(headline(receiver.accepted()[0])).toBe(
      "[riskq] FIRING Circuit open: alipay — 1 open circuit (1 new)",
    );
  });
});
