/**
 * Who gets a scarce call: two workers (each its own limiter instance and wait lane, arbitrating
 * through Redis as separate processes do) share a limiter held at exactly one call per second, so
 * the order of the permits decides which jobs can still be scored before their deadlines.
 */
import { createCallRateLimiter } from "@riskq/pipeline";
import { describe, expect, it } from "vitest";
import { type ScoreJob, trafficOf, useWorkerKit } from "./support/worker-harness";

const suite = useWorkerKit();

/** Two workers whose shared limiter allows one call per second, and no more. */
async function twoWorkersAtOneCallPerSecond() {
  const { kit } = suite;
  for (let i = 0; i < 2; i++) {
    await kit.startWorker({
      limiter: createCallRateLimiter({
        redis: kit.connection,
        prefix: kit.prefix,
        initialRate: 1,
        maxRate: 1,
      }),
      lingerMs: 20,
      concurrency: 1_000,
    });
  }
}

const sourcesOf = (jobs: ScoreJob[], merchantId: string) =>
  jobs.filter((job) => job.data.request.merchant_id === merchantId).map((job) => job.returnvalue.source);

describe("the order of scarce calls", () => {
  it("earliest deadline first: a merchant's urgent jobs overtake four merchants' relaxed ones queued before them", async () => {
    const { kit } = suite;
    const relaxed = trafficOf(1401, 4, 200);
    const urgent = trafficOf(1402, 1, 20);
    await kit.onboard(...relaxed.merchantIds, ...urgent.merchantIds);
    await twoWorkersAtOneCallPerSecond();
    // Four merchants' batches wait first; in arrival order the urgent one would be 5th to 9th in line,
    // 4 s or more away — past its 3-s deadline.
    await kit.enqueue(relaxed.requests, { deadlineAt: Date.now() + 60_000 });
    await kit.enqueue(urgent.requests, { deadlineAt: Date.now() + 3_000 });

    const { completed, failed } = await kit.settle(220, 40_000);
    expect(failed).toHaveLength(0);
    expect(sourcesOf(completed, urgent.merchantIds[0]!)).toEqual(urgent.requests.map(() => "remote"));
    expect(completed.every((job) => job.returnvalue.source === "remote")).toBe(true);
  });

  it("fair share: a merchant's burst with the earliest deadlines does not take every call while another waits", async () => {
    const { kit } = suite;
    const burst = trafficOf(1403, 1, 1_000);
    const other = trafficOf(1404, 1, 20);
    await kit.onboard(...burst.merchantIds, ...other.merchantIds);
    await twoWorkersAtOneCallPerSecond();
    // By deadline alone the burst's batches (ten calls' worth) would take every call until its own
    // jobs expire (6.4 s), and the other merchant's jobs would get one after that, too late for a
    // 6.9-s deadline; with a fair share they get the 2nd or 3rd call, seconds early even on a loaded
    // machine.
    await kit.enqueue(burst.requests, { deadlineAt: Date.now() + 6_400 });
    await kit.enqueue(other.requests, { deadlineAt: Date.now() + 6_900 });

    const { completed, failed } = await kit.settle(1_020, 40_000);
    expect(failed).toHaveLength(0);
    expect(sourcesOf(completed, other.merchantIds[0]!)).toEqual(other.requests.map(() => "remote"));
    // Calls were scarce: a good part of the burst could not be scored in time and was decided by its
    // policy (about seven calls of 100 items came before its deadline).
    const burstSources = sourcesOf(completed, burst.merchantIds[0]!);
    expect(burstSources.filter((source) => source !== "remote").length).toBeGreaterThan(200);
  });
});
