/**
 * Drift at process level: two worker processes and a scheduler process against one sandbox, with
 * 2-second drift windows checked every second. The sandbox retires the pinned model mid-traffic
 * (it keeps answering 200 with every score at 0.5): the scheduler must mark the model degraded,
 * withdraw what it scored since, and alert; every job still ends, scored by a healthy model or
 * dead-lettered as `model_flatline`.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { ScoreJobResult } from "@riskq/contracts";
import { isDegraded } from "@riskq/drift";
import { type AppProcess, startAppProcess } from "@riskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunks, scoreRequests, testMerchants } from "./support/score-traffic";
import { formatCounts, waitUntilSettled } from "./support/settle";
import { type Stack, startStack } from "./support/stack";

const MODEL = "risk-v3-2026-11";
const WINDOW_MS = 2_000;
/** Jobs offered per second: comfortably above the detector's 200 scores per window. */
const RATE = 250;

let stack: Stack;
let scheduler: AppProcess;
const hook = { bodies: [] as string[], close: () => {} };

beforeAll(async () => {
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    hook.bodies.push(body);
    res.writeHead(200).end("ok");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  hook.close = () => {
    server.closeAllConnections();
    server.close();
  };
  const driftEnv = { DRIFT_WINDOW_MS: String(WINDOW_MS), WORKER_METRICS_PORT: "0" };
  stack = await startStack({
    workers: 2,
    workerEnv: driftEnv,
    sandbox: { latencyProfile: "fast", seed: 81 },
  });
  scheduler = await startAppProcess({
    name: "scheduler",
    script: "apps/scheduler/src/main.ts",
    env: {
      ...stack.workerEnv,
      DRIFT_CHECK_EVERY_MS: "1000",
      SCHEDULER_METRICS_PORT: "0",
      RISKQ_ALERT_WEBHOOK_URLS: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      ALERT_GROUP_WAIT_MS: "100",
    },
    readyEvent: "scheduler-ready",
    startTimeoutMs: 40_000,
  });
}, 90_000);

afterAll(async () => {
  await scheduler?.stop();
  await stack?.stop();
  hook.close();
});

/** Offers `count` requests at RATE jobs/s through the API. */
async function offer(seed: number, count: number): Promise<string[]> {
  const merchants = testMerchants(81, 5);
  const requests = scoreRequests({ seed, merchants, count });
  const ids: string[] = [];
  for (const part of chunks(requests, RATE / 5)) {
    const started = Date.now();
    ids.push(...(await stack.api.enqueueBatch(part)).map((j) => j.id));
    await sleep(Math.max(0, 200 - (Date.now() - started)));
  }
  return ids;
}

describe("drift detection across processes", () => {
  it("the sandbox retires the pinned model mid-traffic: marked degraded, flat results withdrawn, model_flatline dead letters, an alert", async () => {
    await stack.onboardMerchants(testMerchants(81, 5).map((m) => m.merchant_id));
    const healthy = await offer(82, RATE * 3);
    const retiredAt = Date.now();
    await stack.sandbox.control.retireModel(MODEL);
    // Watched while the flat traffic flows, to report how soon the scheduler noticed.
    const marked = (async () => {
      for (let i = 0; i < 300; i++) {
        const found = await isDegraded(stack.testRedis.redis, stack.prefix, MODEL);
        if (found) return { mark: found, afterMs: Date.now() - retiredAt };
        await sleep(50);
      }
      return undefined;
    })();
    const flat = await offer(83, RATE * 4);

    const seen = await marked;
    expect(seen, "the scheduler never marked the retired model degraded").toBeDefined();
    const mark = seen!.mark;
    console.log(
      `marked degraded (${mark.reason}) ${seen!.afterMs} ms after the retirement (${(seen!.afterMs / WINDOW_MS).toFixed(1)} windows)`,
    );

    const all = [...healthy, ...flat];
    const ours = new Set(all);
    // Flat results keep arriving for a moment after the mark (workers cache marks for a few seconds,
    // calls in flight finish): the next checks withdraw them, so wait for that as well as for the jobs.
    const standingFlat = async () =>
      (await stack.scoreQueue.getCompleted(0, -1)).filter((j) => {
        // Null while a withdrawal is moving the job back to the queue between the listing and the read.
        const result = j.returnvalue as ScoreJobResult | null;
        return (
          ours.has(j.id!) &&
          result?.source === "remote" &&
          result.model_version === MODEL &&
          (j.finishedOn ?? 0) >= mark.since
        );
      });
    let counts = await waitUntilSettled(stack.scoreQueue, stack.deadQueue, all.length, { timeoutMs: 60_000 });
    for (let i = 0; i < 30 && (await standingFlat()).length > 0; i++) {
      await sleep(500);
      counts = await waitUntilSettled(stack.scoreQueue, stack.deadQueue, all.length, { timeoutMs: 60_000 });
    }
    console.log(formatCounts(counts));
    // Nothing lost: every job scored or dead-lettered.
    expect(counts.completed + counts.failed).toBe(all.length);
    // No flat answer of the degraded model stands: what it scored since `since` was withdrawn.
    expect((await standingFlat()).map((j) => j.id)).toEqual([]);

    // What it scored before the retirement stands, and it was not flat.
    const completed = (await stack.scoreQueue.getCompleted(0, -1)).filter((j) => ours.has(j.id!));
    const before = completed.filter((j) => (j.finishedOn ?? 0) < retiredAt);
    expect(before.length).toBeGreaterThan(RATE);
    expect(
      new Set(before.map((j) => (j.returnvalue as ScoreJobResult | null)?.confidence)).size,
    ).toBeGreaterThan(50);

    // The rest are dead letters, as model_flatline, with redrive counted where a result was withdrawn.
    const { items } = await stack.deadLetters.list({ limit: all.length });
    expect(items.length).toBe(counts.failed);
    expect(items.length).toBeGreaterThan(0);
    expect(new Set(items.map((d) => d.reason))).toEqual(new Set(["model_flatline"]));

    // The alerter delivered the news about the model.
    for (let i = 0; i < 100 && !hook.bodies.some((b) => b.includes(MODEL)); i++) await sleep(100);
    const notice = hook.bodies.find((b) => b.includes(MODEL));
    expect(notice, "no alert about the model reached the webhook").toBeDefined();
    expect(notice).toMatch(/Model (retired|flatline)/);
  });
});
