import { createTestRedis, type TestRedis } from "@riskq/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { alertKeys, createAlerter, publishAlert, scrubSecrets } from "../src/index";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver";

const S = 1_000;
const T0 = Date.UTC(2026, 10, 27, 8, 0, 0);
const FINGERPRINT = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
const CARD = "4111 1111 1111 1111";

let redis: TestRedis;
const receivers: WebhookReceiver[] = [];

beforeEach(async () => {
  redis = await createTestRedis();
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await redis.cleanup();
});

async function receiver(...statuses: number[]) {
  const r = await startWebhookReceiver((n) => statuses[n] ?? 200);
  receivers.push(r);
  return r;
}

describe("webhook delivery", () => {
  it("retries a failing receiver with exponential backoff until it accepts; the notice arrives once, Slack-shaped, without secrets", async () => {
    const flaky = await receiver(500, 500);
    const steady = await receiver();
    const alerter = createAlerter({
      redis: redis.redis,
      prefix: redis.prefix,
      webhookUrls: [flaky.url, steady.url],
      dashboardUrl: "http://board.example:3001",
      retryBaseMs: 1_000,
    });
    for (const [jobId, at] of [
      ["2088000000000001-order-1", T0],
      ["2088000000000001-order-2", T0 + S],
    ] as const) {
      await publishAlert(
        redis.redis,
        { prefix: redis.prefix },
        {
          kind: "dead_letter",
          subject: "score-dead",
          reason: "silent_drop",
          job_id: jobId,
          message: `job ${jobId} dead-lettered as silent_drop`,
          error: `silent_drop: 200 OK without item ${jobId}; access_token=tok_live_abc123 card ${CARD} fp ${FINGERPRINT}`,
          at,
        },
      );
    }

    const attemptsAt = async (t: number) => {
      const before = flaky.requests.length;
      await alerter.tick(T0 + t);
      return flaky.requests.length - before;
    };
    expect(await attemptsAt(0)).toBe(0); // folded; group_wait runs
    expect(await attemptsAt(30 * S)).toBe(1); // 500; next try 1 s later
    expect(await attemptsAt(31 * S - 1)).toBe(0);
    expect(await attemptsAt(31 * S)).toBe(1); // 500; next try 2 s later
    expect(await attemptsAt(33 * S - 1)).toBe(0);
    expect(await attemptsAt(33 * S)).toBe(1); // accepted
    expect(await attemptsAt(60 * S)).toBe(0);

    expect(flaky.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    // The receiver that accepted at once was not sent the retries.
    expect(steady.requests.map((r) => r.status)).toEqual([200]);
    // Every attempt carried the same notice.
    const bodies = flaky.requests.map((r) => JSON.stringify(r.body));
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.stringify(steady.requests[0]!.body)).toBe(bodies[0]);

    const body = flaky.accepted()[0] as { text: string; blocks: Array<Record<string, unknown>> };
    const board = "http://board.example:3001/admin/queues/queue/score-dead";
    expect(body.text.split("\n")).toEqual([
      "[riskq] FIRING Dead letters: silent_drop in score-dead — 2 dead letters (2 new)",
      "job 2088000000000001-order-2 dead-lettered as silent_drop",
      `last error: silent_drop: 200 OK without item 2088000000000001-order-2; access_token=[redacted] card [card number removed] fp a1b2c3…8f90`,
      "sample jobs: 2088000000000001-order-2, 2088000000000001-order-1",
      board,
    ]);
    expect(body.blocks.map((b) => b.type)).toEqual([
      "header",
      "section",
      "section",
      "section",
      "actions",
      "context",
    ]);
    const blocks = JSON.stringify(body.blocks);
    expect(blocks).toContain("*Count*\\n2 dead letters (2 new)");
    expect(blocks).toContain("*Reason*\\nsilent_drop");
    expect(blocks).toContain("`2088000000000001-order-2`, `2088000000000001-order-1`");
    expect(blocks).toContain("*Last error*\\n```silent_drop: 200 OK without item 2088000000000001-order-2");
    expect(blocks).toContain(`"url":"${board}"`);
    for (const secret of ["tok_live_abc123", CARD, "4111111111111111", FINGERPRINT])
      expect(JSON.stringify(body)).not.toContain(secret);
    // Delivered everywhere: the outbox is empty.
    expect(await redis.redis.zcard(alertKeys(redis.prefix).outbox)).toBe(0);
  });

  it("without webhooks a notice is logged once instead", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = {
      info() {},
      error() {},
      warn: (obj: object) => void lines.push(obj as Record<string, unknown>),
    };
    const alerter = createAlerter({ redis: redis.redis, prefix: redis.prefix, webhookUrls: [], logger });
    await publishAlert(
      redis.redis,
      { prefix: redis.prefix },
      {
        kind: "key_health_failed",
        subject: "key-7",
        message: "the AES key in use was rejected; rotated",
        at: T0,
      },
    );
    await alerter.tick(T0);
    await alerter.tick(T0 + 30 * S);
    await alerter.tick(T0 + 60 * S);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ alert: "key_health_failed", status: "firing" });
    expect(String(lines[0]!.text)).toContain("AES key rejected: key-7");
  });
});

describe("scrubSecrets", () => {
  it("removes keys, tokens and card numbers, masks fingerprints, keeps ids", () => {
    const text = [
      "Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
      '"refresh_token":"rt-123"',
      "aes_key: 3q2+7w==abcdEFGH12345678abcd",
      "-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----",
      "card 5555-5555-5555-4444",
      `fingerprint ${FINGERPRINT}`,
      "merchant 2088000000000001 job 2088000000000001-order-9",
    ].join(" | ");
    expect(scrubSecrets(text)).toBe(
      [
        "Bearer [redacted]",
        '"refresh_token":"[redacted]"',
        "aes_key: [redacted]",
        "[redacted key]",
        "card [card number removed]",
        "fingerprint a1b2c3…8f90",
        "merchant 2088000000000001 job 2088000000000001-order-9",
      ].join(" | "),
    );
  });
});
