import type { DeadLetter, DeadLetterReason } from "@riskq/contracts";
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { countDeadLettersByReason, createDeadLetterQueue, type DeadLetterQueue } from "../src/index";

const suite = useTestRedis({ url: process.env.REDIS_URL });
let dead: DeadLetterQueue | undefined;
afterEach(() => dead?.close());

/** Writes dead letters as DeadLetterStore.record does: a `score-dead` job named after its reason. */
async function writeLetters(
  queue: DeadLetterQueue,
  reasons: readonly DeadLetterReason[],
  from = 0,
): Promise<void> {
  await queue.addBulk(
    reasons.map((reason, i) => {
      const letter = { job_id: `job-${from + i}`, reason } as DeadLetter;
      return { name: reason, data: letter, opts: { jobId: `job-${from + i}` } };
    }),
  );
}

describe("countDeadLettersByReason", () => {
  it("counts the dead letters of each reason in one read", async () => {
    const { redis, prefix } = suite.redis;
    dead = createDeadLetterQueue({ connection: redis, prefix });
    expect(await countDeadLettersByReason(redis, dead)).toEqual({});
    await writeLetters(dead, ["timeout", "silent_drop", "timeout", "rate_limited", "timeout"]);
    expect(await countDeadLettersByReason(redis, dead)).toEqual({
      timeout: 3,
      silent_drop: 1,
      rate_limited: 1,
    });
  });

  it("reads at most `limit` letters, the newest, whatever accumulated", async () => {
    const { redis, prefix } = suite.redis;
    dead = createDeadLetterQueue({ connection: redis, prefix });
    await writeLetters(dead, ["timeout", "timeout", "timeout"]);
    await writeLetters(dead, ["silent_drop", "silent_drop"], 3);
    expect(await countDeadLettersByReason(redis, dead, 2)).toEqual({ silent_drop: 2 });
    expect(await countDeadLettersByReason(redis, dead)).toEqual({ timeout: 3, silent_drop: 2 });
  });
});
