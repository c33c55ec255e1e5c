/** The operator client against the real riskq API (in-process, real Redis): dead letters end to end. */

import { createRiskqAdminClient, createRiskqClient, type RiskqAdminClient } from "@riskq/client";
import { MERCHANT_ID, scoreRequest } from "@riskq/client/testing";
import type { DeadLetterReason } from "@riskq/contracts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually, startKillingWorker } from "../support/api-harness";
import { API_KEY, type RealApi, startRealApi } from "./support/real-api";

let api: RealApi;
let admin: RiskqAdminClient;
const jobId = (itemId: string) => `${MERCHANT_ID}-${itemId}`;

/** Enqueues the items and lets a stand-in worker kill each with its reason, as apps/worker would. */
async function killItems(reasons: Record<string, DeadLetterReason>): Promise<void> {
  const worker = startKillingWorker(api.kit, (itemId) => reasons[itemId]!);
  try {
    const producer = createRiskqClient({ baseUrl: api.baseUrl, apiKey: API_KEY });
    await producer.enqueueScores(Object.keys(reasons).map((itemId) => scoreRequest(itemId)));
    for (const itemId of Object.keys(reasons)) {
      await eventually(() => api.kit.deadLetters.get(jobId(itemId)));
    }
  } finally {
    await worker.close();
  }
}

describe("dead letters through the admin client", () => {
  beforeEach(async () => {
    api = await startRealApi();
    admin = createRiskqAdminClient({ baseUrl: api.baseUrl, apiKey: API_KEY });
  });
  afterEach(async () => {
    await api.close();
  });

  it("lists by reason with pagination, and shows one by id (undefined when not dead)", async () => {
    await killItems({ a: "timeout", b: "timeout", c: "silent_drop" });

    const all = await admin.listDeadLetters();
    const page = await admin.listDeadLetters({ reason: "timeout", limit: 1, offset: 1 });

    expect(all).toMatchObject({ total: 3, offset: 0, limit: 50 });
    expect(page).toMatchObject({ total: 2, offset: 1, limit: 1, items: [{ reason: "timeout" }] });
    await expect(admin.getDeadLetter(jobId("c"))).resolves.toMatchObject({
      job_id: jobId("c"),
      reason: "silent_drop",
      last_error: { code: "x", message: "died in a test" },
    });
    await expect(admin.getDeadLetter(jobId("never"))).resolves.toBeUndefined();
  });

  it("redrives by id and purges by reason", async () => {
    await killItems({ d: "upstream_error", e: "stalled", f: "stalled" });

    const redriven = await admin.redriveDeadLetters({ ids: [jobId("d"), jobId("not-dead")] });
    const purged = await admin.purgeDeadLetters({ reason: "stalled" });

    expect(redriven).toEqual({ redriven: [jobId("d")], count: 1 });
    expect(purged.purged.sort()).toEqual([jobId("e"), jobId("f")]);
    expect(purged.count).toBe(2);
    expect(await admin.listDeadLetters()).toMatchObject({ total: 0, items: [] });
    expect(await api.kit.scoreQueue.getJob(jobId("e"))).toBeUndefined();
    expect(await api.kit.scoreQueue.getJobState(jobId("d"))).toBe("waiting");
  });

  it("refuses an unknown reason before sending anything", async () => {
    await expect(admin.purgeDeadLetters({ reason: "bored" as DeadLetterReason })).rejects.toThrow(
      /unknown dead-letter reason/,
    );
  });
});
