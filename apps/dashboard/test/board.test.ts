import { QUEUES } from "@riskq/contracts";
import { deadDelivery, enqueueCallback } from "@riskq/pipeline";
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AUTH, type DashboardKit, startDashboard } from "./support/dashboard-kit";
import { cardRiskRequest, deadLetterJob, fingerprint } from "./support/dead-letter-fixture";

const suite = useTestRedis({ url: process.env.REDIS_URL });
let kit: DashboardKit;

beforeEach(async () => {
  kit = await startDashboard({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix });
});
afterEach(async () => {
  await kit.close();
});

// What the board's own pages send with a change (same origin), so only the board's rules decide.
const BOARD_HEADERS = { ...AUTH, origin: "http://localhost", "sec-fetch-site": "same-origin" };
const get = (url: string) => kit.app.inject({ method: "GET", url: `/admin/queues/api${url}`, headers: AUTH });
const change = (method: "PUT" | "POST" | "PATCH", url: string, payload?: object) =>
  kit.app.inject({
    method,
    url: `/admin/queues/api${url}`,
    headers: BOARD_HEADERS,
    ...(payload === undefined ? {} : { payload }),
  });

/** Valid bodies of the board's add-job (POST) and update-data (PATCH) routes. */
const BODIES = { PUT: undefined, POST: { name: "x", data: { a: 1 } }, PATCH: { jobData: { a: 1 } } } as const;

interface BoardJob {
  id: string;
  name: string;
  data: unknown;
  failedReason: string;
}
interface BoardQueueJson {
  name: string;
  readOnlyMode: boolean;
  allowRetries: boolean;
  jobs: BoardJob[];
}
/** The board's listing with the jobs of one queue (what its queue page polls). */
async function listing(queue: string): Promise<{ queues: BoardQueueJson[]; text: string }> {
  const res = await get(`/queues?activeQueue=${queue}&status=latest&page=1&jobsPerPage=10`);
  expect(res.statusCode).toBe(200);
  return { queues: res.json<{ queues: BoardQueueJson[] }>().queues, text: res.body };
}

async function killJob(itemId: string, request: Record<string, unknown> = {}) {
  const print = fingerprint();
  const letter = await deadLetterJob({
    redisUrl: process.env.REDIS_URL,
    prefix: suite.redis.prefix,
    request: { ...cardRiskRequest(itemId, print.raw), ...request },
    reason: "upstream_error",
    message: "Alipay answered 500 eight times",
  });
  return { letter, print };
}

describe("read-only queues", () => {
  it("score-dead and score-callbacks are read-only; the others writable, retries only on maintenance", async () => {
    const { queues } = await listing("score");
    const flags = Object.fromEntries(queues.map((q) => [q.name, [q.readOnlyMode, q.allowRetries]]));
    expect(flags).toEqual({
      score: [false, false],
      "score-dead": [true, false],
      maintenance: [false, true],
      "score-callbacks": [true, false],
    });
  });

  it("the board's API refuses to retry, remove, clean or empty dead letters (405) and they stay", async () => {
    const { letter } = await killJob("ro-1");
    const id = letter.job_id;
    for (const [method, url] of [
      ["PUT", `/queues/score-dead/${id}/retry`],
      ["PUT", `/queues/score-dead/${id}/clean`],
      ["PUT", `/queues/score-dead/${id}/promote`],
      ["PUT", "/queues/score-dead/clean/wait"],
      ["PUT", "/queues/score-dead/retry/failed"],
      ["PUT", "/queues/score-dead/empty"],
      ["PUT", "/queues/score-dead/pause"],
      ["PUT", "/queues/score-dead/obliterate"],
      ["POST", "/queues/score-dead/add"],
      ["PATCH", `/queues/score-dead/${id}/update-data`],
    ] as const) {
      const res = await change(method, url, BODIES[method]);
      expect(res.statusCode, `${method} ${url}`).toBe(405);
      expect(res.json()).toMatchObject({ error: { key: "ERRORS.QUEUE_READ_ONLY" } });
    }
    const dead = kit.queue(QUEUES.dead);
    expect((await dead.getJob(id))?.data).toEqual(letter);
    expect(await dead.getJobCounts("waiting")).toEqual({ waiting: 1 });
    expect(await dead.isPaused()).toBe(false);
    // Nor does the board-wide pause touch it.
    expect((await change("PUT", "/queues/pause")).statusCode).toBe(200);
    expect(await dead.isPaused()).toBe(false);
    expect(await kit.queue(QUEUES.score).isPaused()).toBe(true);
  });
});

describe("what operators may change on writable queues", () => {
  it("score: pausing and promoting are allowed; retrying a failed (dead-lettered) job or removing one is refused (403)", async () => {
    const { letter } = await killJob("w-1");
    const id = letter.job_id;
    for (const [method, url] of [
      ["PUT", `/queues/score/${id}/retry`],
      ["PUT", "/queues/score/retry/failed"],
      ["PUT", `/queues/score/${id}/clean`],
      ["PUT", "/queues/score/clean/failed"],
      ["PUT", "/queues/score/empty"],
      ["PUT", "/queues/score/obliterate"],
      ["POST", "/queues/score/add"],
      ["PATCH", `/queues/score/${id}/update-data`],
    ] as const) {
      const res = await change(method, url, BODIES[method]);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toMatchObject({ error: { key: "ERRORS.FORBIDDEN" } });
      expect(res.json<{ message: string }>().message).toContain("redrive dead letters with the API or CLI");
    }
    const score = kit.queue(QUEUES.score);
    expect(await (await score.getJob(id))?.isFailed()).toBe(true);
    expect(await kit.queue(QUEUES.dead).getJob(id)).toBeDefined();

    expect((await change("PUT", "/queues/score/promote")).statusCode).toBe(200);
    expect((await change("PUT", "/queues/score/pause")).statusCode).toBe(200);
    expect(await score.isPaused()).toBe(true);
    expect((await change("PUT", "/queues/score/resume")).statusCode).toBe(200);
    expect(await score.isPaused()).toBe(false);
  });

  it("maintenance: a schedule may be run now, but not removed or edited", async () => {
    const maintenance = kit.queue(QUEUES.maintenance);
    await maintenance.upsertJobScheduler("key-health", { every: 600_000 }, { name: "key-health", data: {} });
    const before = await maintenance.getJobCounts("waiting", "delayed");

    const run = await change("PUT", "/queues/maintenance/job-schedulers/key-health/run");
    expect(run.statusCode).toBe(200);
    const after = await maintenance.getJobCounts("waiting", "delayed");
    expect(after.waiting! + after.delayed!).toBe(before.waiting! + before.delayed! + 1);

    const remove = await change("PUT", "/queues/maintenance/job-schedulers/key-health/remove");
    expect(remove.statusCode).toBe(403);
    const edit = await change("PATCH", "/queues/maintenance/job-schedulers/key-health", { every: 1_000 });
    expect(edit.statusCode).toBe(403);
    expect(await maintenance.getJobScheduler("key-health")).toMatchObject({ every: 600_000 });
  });
});

describe("redaction of what the board shows", () => {
  it("a dead letter: the fingerprint masked and no token, in the listing and in the job", async () => {
    // An invalid_payload letter carries whatever the caller sent, secrets included.
    const token = `tok-${Date.now()}-secret`;
    const { letter, print } = await killJob("r-1", {
      app_auth_token: token,
      callback_url: "https://hooks.example/cb?token=cbtoken123&source=riskq",
    });

    const { queues, text } = await listing("score-dead");
    expect(text).not.toContain(print.raw);
    expect(text).not.toContain(token);
    expect(text).not.toContain("cbtoken123");
    const [shown] = queues.find((q) => q.name === "score-dead")!.jobs;
    expect(shown).toMatchObject({
      id: letter.job_id,
      name: "upstream_error",
      data: {
        reason: "upstream_error",
        last_error: { message: "Alipay answered 500 eight times" },
        payload: {
          item_id: "r-1",
          card_fingerprint: print.masked,
          app_auth_token: "[redacted]",
          callback_url: "https://hooks.example/cb?token=[redacted]&source=[redacted]",
        },
      },
    });

    const one = await get(`/queues/score-dead/${letter.job_id}`);
    expect(one.statusCode).toBe(200);
    expect(one.body).not.toContain(print.raw);
    expect(one.body).not.toContain(token);
    expect(one.json()).toMatchObject({ job: { data: { payload: { card_fingerprint: print.masked } } } });

    // The failed score job behind it shows its request the same way.
    const score = await listing("score");
    expect(score.text).not.toContain(print.raw);
    expect(score.text).toContain(print.masked);
  });

  it("callback deliveries (the dead letter inside, the URL's login) and scheduler templates are redacted too", async () => {
    const { letter, print } = await killJob("r-2");
    const callbacks = kit.queue(QUEUES.callbacks) as Parameters<typeof enqueueCallback>[0];
    await enqueueCallback(callbacks, deadDelivery("https://user:pw@hooks.example/cb", letter));
    const { text, queues } = await listing("score-callbacks");
    expect(text).not.toContain(print.raw);
    expect(text).not.toContain("user:pw");
    const jobs = queues.find((q) => q.name === "score-callbacks")!.jobs;
    expect(jobs.map((j) => j.data)).toContainEqual(
      expect.objectContaining({
        callback_url: "https://[redacted]@hooks.example/cb",
        body: expect.objectContaining({
          dead_letter: expect.objectContaining({
            payload: expect.objectContaining({ card_fingerprint: print.masked }),
          }),
        }),
      }),
    );

    await kit
      .queue(QUEUES.maintenance)
      .upsertJobScheduler(
        "probe",
        { every: 600_000 },
        { name: "probe", data: { merchant: "m-1", secret_key: "sk-123456" } },
      );
    const schedulers = await get("/job-schedulers");
    expect(schedulers.statusCode).toBe(200);
    expect(schedulers.body).not.toContain("sk-123456");
    expect(schedulers.json()).toMatchObject({
      schedulers: [{ id: "probe", template: { data: { merchant: "m-1", secret_key: "[redacted]" } } }],
    });
  });
});
