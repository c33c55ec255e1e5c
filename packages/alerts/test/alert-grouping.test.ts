import { createTestRedis, type TestRedis } from "@riskq/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALERTER_GROUP, type AlertEventInput, alertKeys, createAlerter, publishAlert } from "../src/index";
import { headline, startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver";

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const T0 = Date.UTC(2026, 10, 27, 8, 0, 0);
const MERCHANT = "2088000000000001";

let redis: TestRedis;
let receiver: WebhookReceiver;

beforeEach(async () => {
  redis = await createTestRedis();
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await receiver.close();
  await redis.cleanup();
});

const deadLetter = (jobId: string, reason: string): AlertEventInput => ({
  kind: "dead_letter",
  subject: "score-dead",
  reason,
  job_id: jobId,
  message: `job ${jobId} dead-lettered as ${reason}`,
  error: `${reason}: upstream said no to ${jobId}`,
});
const reauth: AlertEventInput = {
  kind: "merchant_reauth_required",
  subject: MERCHANT,
  message: `merchant ${MERCHANT} must re-authorise`,
};

/** An alerter driven by hand on a fake clock (default timing: 30 s / 5 min / 4 h, resolve after 1 h). */
function fakeClockAlerter(extra: Partial<Parameters<typeof createAlerter>[0]> = {}) {
  return createAlerter({
    redis: redis.redis,
    prefix: redis.prefix,
    webhookUrls: [receiver.url],
    dashboardUrl: "http://board.example:3001/",
    now: () => {
      throw new Error("the test drives tick(now)");
    },
    ...extra,
  });
}

describe("alert grouping (Alertmanager semantics, fake clock)", () => {
  it("sends exactly the notices of group_wait, group_interval, repeat_interval and resolution for a scripted day", async () => {
    const alerter = fakeClockAlerter();
    // The script: what is published at which instant (ms after T0); the alerter ticks at each.
    const script = new Map<number, AlertEventInput[]>();
    const at = (t: number, ...events: AlertEventInput[]) =>
      script.set(t, [...(script.get(t) ?? []), ...events]);
    at(0, deadLetter("m1-j1", "silent_drop"));
    at(10 * S, deadLetter("m1-j2", "silent_drop"), deadLetter("m1-k1", "timeout"));
    at(30 * S - 1);
    at(30 * S);
    // A new dead letter, and j2 published again (a producer that crashed after publishing).
    at(40 * S, deadLetter("m1-j3", "silent_drop"), deadLetter("m1-j2", "silent_drop"));
    at(5 * M + 30 * S - 1);
    at(5 * M + 30 * S);
    at(10 * M, deadLetter("m1-j3", "silent_drop"));
    // The token refresh finds the merchant revoked at every run (every 10 min) for hours.
    for (let t = 20 * M; t <= 5 * H; t += 10 * M) at(t, reauth);
    at(20 * M + 30 * S);
    at(4 * H + 5 * M + 30 * S);
    at(4 * H + 20 * M + 30 * S - 1);
    at(4 * H + 20 * M + 30 * S);
    // silent_drop has been quiet for hours: this one opens a new group.
    at(4 * H + 30 * M, deadLetter("m1-j1", "silent_drop"));
    at(4 * H + 30 * M + 30 * S);

    const sent: Array<{ t: number; headline: string }> = [];
    for (const t of [...script.keys()].sort((a, b) => a - b)) {
      for (const event of script.get(t)!)
        await publishAlert(redis.redis, { prefix: redis.prefix }, { ...event, at: T0 + t });
      const before = receiver.accepted().length;
      await alerter.tick(T0 + t);
      for (const body of receiver.accepted().slice(before)) sent.push({ t, headline: headline(body) });
    }

    expect(sent).toEqual([
      {
        t: 30 * S,
        headline: "[riskq] FIRING Dead letters: silent_drop in score-dead — 2 dead letters (2 new)",
      },
      { t: 40 * S, headline: "[riskq] FIRING Dead letters: timeout in score-dead — 1 dead letter (1 new)" },
      {
        t: 5 * M + 30 * S,
        headline: "[riskq] UPDATE Dead letters: silent_drop in score-dead — 3 dead letters (1 new)",
      },
      {
        t: 20 * M + 30 * S,
        headline: `[riskq] FIRING Merchant must re-authorise: ${MERCHANT} — 1 merchant (1 new)`,
      },
      {
        t: 4 * H + 20 * M + 30 * S,
        headline: `[riskq] STILL FIRING Merchant must re-authorise: ${MERCHANT} — 1 merchant (nothing new since the last notice)`,
      },
      {
        t: 4 * H + 30 * M + 30 * S,
        headline: "[riskq] FIRING Dead letters: silent_drop in score-dead — 1 dead letter (1 new)",
      },
    ]);
    // The update lists the recent jobs, each once, newest first.
    expect(JSON.stringify(receiver.accepted()[2])).toContain("sample jobs: m1-j3, m1-j2, m1-j1");
    // Nothing is left to send, and the resolved groups are gone.
    const keys = alertKeys(redis.prefix);
    expect(await redis.redis.zcard(keys.outbox)).toBe(0);
    expect(await redis.redis.exists(keys.group("dead_letter|score-dead/timeout").state)).toBe(0);
  });

  it("takes over events a dead replica read but never folded, and counts each once", async () => {
    const alerter = fakeClockAlerter({ claimIdleMs: 0 });
    await alerter.tick(T0); // creates the consumer group
    const publish = (e: AlertEventInput) =>
      publishAlert(redis.redis, { prefix: redis.prefix }, { ...e, at: T0 });
    await publish(deadLetter("m1-a", "stalled"));
    await publish(deadLetter("m1-b", "stalled"));
    // Another replica reads both, then dies before folding them: they stay pending on it.
    const keys = alertKeys(redis.prefix);
    const read = await redis.redis.xreadgroup(
      "GROUP",
      ALERTER_GROUP,
      "dead-replica",
      "COUNT",
      10,
      "STREAMS",
      keys.events,
      ">",
    );
    expect((read as [string, unknown[]][])[0]![1]).toHaveLength(2);

    expect((await alerter.tick(T0 + S)).folded).toBe(2);
    expect((await alerter.tick(T0 + 2 * S)).folded).toBe(0);
    await alerter.tick(T0 + 31 * S);
    expect(receiver.accepted().map(headline)).toEqual([
      "[riskq] FIRING Dead letters: stalled in score-dead — 2 dead letters (2 new)",
    ]);
    const pending = (await redis.redis.xpending(keys.events, ALERTER_GROUP)) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
  });

  it("keeps an unsent first notice through any silence: a group is only over once it has told everything", async () => {
    const alerter = fakeClockAlerter();
    await publishAlert(redis.redis, { prefix: redis.prefix }, { ...deadLetter("m1-x", "timeout"), at: T0 });
    await alerter.tick(T0);
    // Every alerter was down for a day after folding the event: the notice still goes out.
    await alerter.tick(T0 + 24 * H);
    expect(receiver.accepted().map(headline)).toEqual([
      "[riskq] FIRING Dead letters: timeout in score-dead — 1 dead letter (1 new)",
    ]);
  });
});
