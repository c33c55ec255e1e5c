import { describe, expect, it } from "vitest";
import { FairShare } from "../src/scores/fair-share";
import type { JobView } from "../src/scores/job-view";
import {
  AUTH,
  countJobs,
  eventually,
  MERCHANT_ID,
  type ScoreJob,
  scoreBody,
  scoredResult,
  startTestWorker,
  useApiWithWorkers,
} from "./support/api-harness";

const OTHER_MERCHANT = "2088000000000002";

describe("fair admission (real API and Redis)", () => {
  const ctx = useApiWithWorkers({ fairSharePerS: 50 });

  const postBatch = (items: unknown[]) =>
    ctx.kit.app.inject({ method: "POST", url: "/v1/scores/batch", headers: AUTH, payload: { items } });
  const burst = Array.from({ length: 180 }, (_, i) => scoreBody(`burst-${i}`));

  it("prioritises a burst's items beyond the share, not another merchant's, and workers take those first", async () => {
    expect((await postBatch(burst)).statusCode).toBe(202);
    const others = Array.from({ length: 5 }, (_, i) =>
      scoreBody(`other-${i}`, { merchant_id: OTHER_MERCHANT }),
    );
    expect((await postBatch(others)).statusCode).toBe(202);

    const priorityOf = async (id: string) => (await ctx.kit.scoreQueue.getJob(id))?.opts.priority ?? 0;
    expect(await priorityOf(`${MERCHANT_ID}-burst-0`)).toBe(0);
    expect(await priorityOf(`${MERCHANT_ID}-burst-49`)).toBe(0);
    expect(await priorityOf(`${MERCHANT_ID}-burst-50`)).toBe(1);
    expect(await priorityOf(`${MERCHANT_ID}-burst-149`)).toBe(1);
    expect(await priorityOf(`${MERCHANT_ID}-burst-150`)).toBe(2);
    expect(await ctx.kit.scoreQueue.getPrioritizedCount()).toBe(130);
    const waiting = (await ctx.kit.scoreQueue.getWaiting(0, -1)).map((job) => job.id);
    for (let i = 0; i < 5; i++) expect(waiting).toContain(`${OTHER_MERCHANT}-other-${i}`);

    // Workers take the other merchant's later jobs before the burst's prioritised tail.
    const order: string[] = [];
    ctx.worker = startTestWorker(ctx.kit, async (job: ScoreJob) => {
      order.push(job.data.request.item_id);
      return scoredResult(job.data.request);
    });
    await eventually(async () => (order.length === 185 ? true : undefined));
    const lastOther = Math.max(...[0, 1, 2, 3, 4].map((i) => order.indexOf(`other-${i}`)));
    expect(lastOther).toBeLessThan(order.indexOf("burst-50"));
    expect(order.indexOf("burst-149")).toBeLessThan(order.indexOf("burst-150"));

    // Sending the burst again creates nothing and answers every item as a duplicate.
    const again = await postBatch(burst);
    expect(again.json<{ jobs: JobView[] }>().jobs.every((job) => job.duplicate === true)).toBe(true);
    expect(await countJobs(ctx.kit.scoreQueue)).toBe(185);
  });
});

describe("FairShare", () => {
  it("gives priority 0 within the share and 1 + floor(excess / 100) beyond, per merchant", () => {
    const share = new FairShare(200);
    expect(share.priorities(Array(150).fill("a"), 0)).toBeUndefined();
    const next = share.priorities([...Array(150).fill("a"), "b"], 500)!;
    expect(next.slice(0, 50)).toEqual(Array(50).fill(0));
    expect(next.slice(50, 150)).toEqual(Array(100).fill(1));
    expect(next[150]).toBe(0); // merchant b is within its own share
    expect(share.priorities(Array(101).fill("a"), 600)).toEqual([...Array(100).fill(2), 3]);
  });

  it("forgets what is older than a second", () => {
    const share = new FairShare(10);
    expect(share.priorities(Array(10).fill("a"), 0)).toBeUndefined();
    expect(share.priorities(["a"], 900)).toEqual([1]);
    expect(share.priorities(["a"], 1_000)).toBeUndefined(); // the first 10 left the window
    expect(share.tracked).toBe(1);
    share.priorities(["b"], 5_000);
    expect(share.tracked).toBe(1); // a, quiet for a second, is no longer tracked
  });

  it("is off at 0", () => {
    expect(new FairShare(0).priorities(Array(1_000).fill("a"), 0)).toBeUndefined();
  });
});
