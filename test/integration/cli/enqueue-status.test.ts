/** `riskq enqueue` and `riskq status` against the real API on real Redis, as child processes. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  countJobs,
  eventually,
  MERCHANT_ID,
  scoreBody,
  scoredResult,
  startTestWorker,
} from "@riskq/api/testing";
import { cliRunner } from "@riskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RealApi, startRealApi } from "./support/real-api";

const runCli = cliRunner(process.env);

let api: RealApi;
let dir: string;
beforeAll(async () => {
  [api, dir] = await Promise.all([startRealApi(), mkdtemp(join(tmpdir(), "riskq-cli-"))]);
});
afterAll(async () => {
  await Promise.all([api?.close(), dir && rm(dir, { recursive: true, force: true })]);
});

const line = (itemId: string, overrides: Record<string, unknown> = {}) =>
  JSON.stringify(scoreBody(itemId, overrides));
const jobId = (itemId: string) => `${MERCHANT_ID}-${itemId}`;

describe("status", () => {
  it("shows a queued job, then its score once completed; an unknown id exits 1", async () => {
    await api.kit.app.inject({
      method: "POST",
      url: "/v1/scores",
      headers: { authorization: `Bearer ${api.env.RISKQ_API_KEY}` },
      payload: scoreBody("st-1"),
    });
    // An API-only command needs neither Redis nor the Alipay settings: broken ones must not matter.
    const unrelatedBroken = {
      REDIS_URL: "not a url",
      RISKQ_SECRET_KEY: "short",
      ALIPAY_APP_PRIVATE_KEY_FILE: join(dir, "missing.pem"),
    };
    const queued = await runCli(["status", jobId("st-1"), "--json"], {
      env: { ...api.env, ...unrelatedBroken },
    });
    expect(queued.code).toBe(0);
    expect(queued.json()).toEqual({ id: jobId("st-1"), item_id: "st-1", status: "queued" });

    const worker = startTestWorker(api.kit, async (job) => scoredResult(job.data.request));
    try {
      await eventually(async () =>
        (await api.kit.scoreQueue.getJobState(jobId("st-1"))) === "completed" ? true : undefined,
      );
    } finally {
      await worker.close();
    }
    const [completed, human, unknown] = await Promise.all([
      runCli(["status", jobId("st-1"), "--json"], { env: api.env }),
      runCli(["status", jobId("st-1")], { env: api.env }),
      runCli(["status", jobId("never-enqueued")], { env: api.env }),
    ]);

    expect(completed.code).toBe(0);
    expect(completed.json()).toMatchObject({
      id: jobId("st-1"),
      status: "completed",
      result: { risk_score: 12, risk_level: "low", source: "remote" },
    });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^status +completed$/m);
    expect(human.stdout).toMatch(/^risk score +12 \(low\)$/m);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`no score job with id "${jobId("never-enqueued")}"`);
  });
});

describe("enqueue", () => {
  it("reports bad lines by number and duplicates, enqueues the rest, and exits 1", async () => {
    const card = "4111111111111111";
    const file = join(dir, "requests.jsonl");
    await writeFile(
      file,
      `${[
        line("f-1"),
        "{not json",
        line("f-2", { amount: "0.00" }),
        "",
        line("f-1"),
        line("f-3", { note: `card ${card}` }),
        line("f-4"),
      ].join("\n")}\n`,
    );

    const run = await runCli(["enqueue", file, "--json"], { env: api.env });

    expect(run.code).toBe(1);
    expect(run.json()).toEqual({
      lines: 6,
      enqueued: 2,
      duplicates: 1,
      errors: 3,
      batches: 1,
      duplicate_lines: [{ line: 5, id: jobId("f-1"), status: "queued" }],
      error_lines: [
        { line: 2, message: expect.stringMatching(/^not valid JSON/) },
        { line: 3, message: expect.stringMatching(/^amount: /) },
        { line: 6, message: expect.stringContaining('field "note" holds a card number') },
      ],
      stopped: null,
    });
    expect(`${run.stdout}${run.stderr}`).not.toContain(card);
    for (const itemId of ["f-1", "f-4"]) {
      expect(await api.kit.scoreQueue.getJobState(jobId(itemId))).toBe("waiting");
    }
    expect(await api.kit.scoreQueue.getJob(jobId("f-2"))).toBeUndefined();
  });

  it("reads stdin in batches of at most 1 000; the same input again is all duplicates, exit 0", async () => {
    const before = await countJobs(api.kit.scoreQueue);
    const input = Array.from({ length: 1_001 }, (_, i) => line(`s-${i}`)).join("\n");

    const first = await runCli(["enqueue", "-", "--json"], { env: api.env, stdin: input });
    const again = await runCli(["enqueue"], { env: api.env, stdin: input });

    expect(first.code).toBe(0);
    expect(first.json()).toMatchObject({
      lines: 1_001,
      enqueued: 1_001,
      duplicates: 0,
      errors: 0,
      batches: 2,
    });
    expect(await countJobs(api.kit.scoreQueue)).toBe(before + 1_001);
    // Not a terminal: no progress bar, one final count line on stdout; duplicates listed on stderr.
    expect(again.code).toBe(0);
    expect(again.stdout).toBe("enqueued 0 new jobs from 1001 lines: 1001 duplicates\n");
    expect(again.stderr).toContain(
      `line 1001: duplicate of job ${jobId("s-1000")} (queued), not enqueued again`,
    );
    expect(again.stderr).not.toContain("\r");
    expect(await countJobs(api.kit.scoreQueue)).toBe(before + 1_001);
  });

  it("stops with advice when the API refuses the key, and says re-running is safe", async () => {
    const run = await runCli(["enqueue", "--json"], {
      env: { ...api.env, RISKQ_API_KEY: "not-a-key" },
      stdin: `${line("k-1")}\n${line("k-2")}\n`,
    });

    expect(run.code).toBe(1);
    expect(run.json()).toMatchObject({
      enqueued: 0,
      stopped: { at_line: 1, not_sent: 2, message: expect.stringContaining("set RISKQ_API_KEY") },
    });
    expect(run.stderr).toContain("running the same input again is safe");
    expect(run.stdout).not.toContain("not-a-key");
  });
});
