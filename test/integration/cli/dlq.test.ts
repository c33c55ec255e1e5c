/** `riskq dlq` against the real API on real Redis, as child processes. */

import { eventually, MERCHANT_ID, scoreBody, startKillingWorker } from "@riskq/api/testing";
import type { DeadLetterReason } from "@riskq/contracts";
import { cliRunner } from "@riskq/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RealApi, startRealApi } from "./support/real-api";

const runCli = cliRunner(process.env);

let api: RealApi;
beforeAll(async () => {
  api = await startRealApi();
});
afterAll(async () => {
  await api?.close();
});

const jobId = (itemId: string) => `${MERCHANT_ID}-${itemId}`;
const FINGERPRINT = "ab".repeat(32);

/** Kills the items through the API and a stand-in worker, as apps/worker would; waits for the letters. */
async function killItems(reasons: Record<string, DeadLetterReason>): Promise<void> {
  const worker = startKillingWorker(api.kit, (itemId) => reasons[itemId]!);
  try {
    for (const itemId of Object.keys(reasons)) {
      await api.kit.app.inject({
        method: "POST",
        url: "/v1/scores",
        headers: { authorization: `Bearer ${api.env.RISKQ_API_KEY}` },
        payload: scoreBody(itemId, { task: "card_risk", card_fingerprint: FINGERPRINT }),
      });
    }
    for (const itemId of Object.keys(reasons)) await eventually(() => api.kit.deadLetters.get(jobId(itemId)));
  } finally {
    await worker.close();
  }
}

/** Every dead letter of this file's prefix, by job id. */
const deadIds = async () =>
  (await api.kit.deadLetters.list({ limit: 500 })).items.map((d) => d.job_id).sort();

// Each test starts from empty queues: jobs one test redrove must not die again in the next one.
beforeEach(async () => {
  await Promise.all([
    api.kit.scoreQueue.obliterate({ force: true }),
    api.kit.deadQueue.obliterate({ force: true }),
  ]);
});

describe("dlq list and show", () => {
  it("lists by reason with --limit/--offset, and shows one letter with its fingerprint masked", async () => {
    await killItems({ "l-1": "timeout", "l-2": "timeout", "l-3": "timeout", "l-4": "silent_drop" });

    const [page, human, shown, missing] = await Promise.all([
      runCli(["dlq", "list", "--reason", "timeout", "--limit", "2", "--offset", "1", "--json"], {
        env: api.env,
      }),
      runCli(["dlq", "list", "--limit", "3"], { env: api.env }),
      runCli(["dlq", "show", jobId("l-4"), "--json"], { env: api.env }),
      runCli(["dlq", "show", jobId("never")], { env: api.env }),
    ]);

    expect(page.code).toBe(0);
    const listed = page.json<{
      total: number;
      offset: number;
      limit: number;
      items: Array<{ reason: string }>;
    }>();
    expect(listed).toMatchObject({ total: 3, offset: 1, limit: 2 });
    expect(listed.items.map((item) => item.reason)).toEqual(["timeout", "timeout"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^JOB ID +REASON +LAST ERROR +ATTEMPTS +DEAD AT +REDRIVES$/m);
    expect(human.stdout).toContain("1-3 of 4 dead letters; next page: --offset 3");
    expect(shown.code).toBe(0);
    expect(shown.json()).toMatchObject({
      job_id: jobId("l-4"),
      reason: "silent_drop",
      last_error: { code: "x", message: "died in a test" },
      payload: { item_id: "l-4", card_fingerprint: "ababab…abab" },
    });
    expect(`${page.stdout}${human.stdout}${shown.stdout}`).not.toContain(FINGERPRINT);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no dead letter with id "${jobId("never")}"`);
  });
});

describe("dlq redrive and purge", () => {
  it("redrives by id (skipping ids that are not dead) and by reason", async () => {
    await killItems({
      "r-1": "upstream_error",
      "r-2": "rate_limited",
      "r-3": "rate_limited",
      "r-4": "expired",
    });

    const byId = await runCli(["dlq", "redrive", jobId("r-1"), jobId("not-dead"), "--json"], {
      env: api.env,
    });
    const byReason = await runCli(["dlq", "redrive", "--reason", "rate_limited"], { env: api.env });

    expect(byId.code).toBe(0);
    expect(byId.json()).toEqual({ redriven: [jobId("r-1")], count: 1, skipped: [jobId("not-dead")] });
    expect(byReason.code).toBe(0);
    expect(byReason.stdout).toMatch(/^redriven 2 jobs of reason rate_limited: /);
    expect(await deadIds()).toEqual([jobId("r-4")]);
    for (const itemId of ["r-1", "r-2", "r-3"]) {
      expect(await api.kit.scoreQueue.getJobState(jobId(itemId))).toBe("waiting");
    }
  });

  it("purge refuses without --yes when stdin is not a terminal (exit 2), and deletes nothing", async () => {
    await killItems({ "p-1": "stalled" });

    const [piped, noStdin] = await Promise.all([
      runCli(["dlq", "purge", "--reason", "stalled"], { env: api.env, stdin: "yes\n" }),
      runCli(["dlq", "purge", jobId("p-1"), "--json"], { env: api.env }),
    ]);

    for (const run of [piped, noStdin]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("refusing to purge without --yes: stdin is not a terminal");
    }
    expect(await deadIds()).toEqual([jobId("p-1")]);
    expect(await api.kit.scoreQueue.getJobState(jobId("p-1"))).toBe("failed");
  });

  it("purge --yes deletes the letters and their jobs, by id or by reason; the usage needs ids or --reason", async () => {
    await killItems({ "p-2": "stalled", "p-3": "stalled", "p-4": "timeout", "p-5": "timeout" });

    const byId = await runCli(["dlq", "purge", jobId("p-4"), "--yes", "--json"], { env: api.env });
    const byReason = await runCli(["dlq", "purge", "--reason", "stalled", "--yes", "--json"], {
      env: api.env,
    });
    const [both, neither] = await Promise.all([
      runCli(["dlq", "purge", jobId("p-5"), "--reason", "timeout", "--yes"], { env: api.env }),
      runCli(["dlq", "purge", "--yes"], { env: api.env }),
    ]);

    expect(byId.code).toBe(0);
    expect(byId.json()).toEqual({ purged: [jobId("p-4")], count: 1, skipped: [] });
    expect(byReason.code).toBe(0);
    expect(byReason.json<{ purged: string[] }>().purged.sort()).toEqual([jobId("p-2"), jobId("p-3")]);
    expect(both.code).toBe(2);
    expect(neither.code).toBe(2);
    expect(await deadIds()).toEqual([jobId("p-5")]);
    for (const itemId of ["p-2", "p-3", "p-4"]) {
      expect(await api.kit.scoreQueue.getJob(jobId(itemId))).toBeUndefined();
    }
  });
});
