/**
 * The job reads of every waiting caller asked for in one turn of the event loop go to Redis as one
 * script call per kind (with data, without): counted with MONITOR on a raw socket, commands under
 * this test's prefix only (those run inside Lua are not round trips).
 */
import type { Socket } from "node:net";
import { createScoreQueue, type ScoreQueue } from "@riskq/pipeline";
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, expect, it } from "vitest";
import { readJobSnapshots } from "../src/scores/job-snapshots";
import { watchCommands } from "./support/redis-monitor";

const suite = useTestRedis({ url: process.env.REDIS_URL });
let queue: ScoreQueue | undefined;
let monitor: Socket | undefined;

afterEach(async () => {
  monitor?.destroy();
  monitor = undefined;
  await queue?.close();
  queue = undefined;
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

async function countScriptCalls(prefix: string): Promise<{ calls: number }> {
  const counted = { calls: 0 };
  monitor = await watchCommands(prefix, (line) => {
    if (/"evalsha"|"eval"/i.test(line) && line.includes(`${prefix}:score:completed`)) counted.calls += 1;
  });
  return counted;
}

it("merges the reads of one turn into one call per kind, each caller answered with its own jobs", async () => {
  const { redis, prefix } = suite.redis;
  queue = createScoreQueue({ connection: redis, prefix });
  const now = Date.now();
  const ids = ["2088000000000001-a", "2088000000000001-b", "2088000000000001-c"];
  for (const id of ids) {
    const request = { item_id: id.split("-")[1]!, merchant_id: "2088000000000001" };
    await queue.add("card_risk", { request, enqueued_at: now, deadline_at: now + 60_000 } as never, {
      jobId: id,
    });
  }
  // Defines the script on the connection first, so each read below is one EVALSHA.
  await readJobSnapshots(queue, [ids[0]!], { withData: false });
  const counted = await countScriptCalls(prefix);

  const [first, second, unknown, withData] = await Promise.all([
    readJobSnapshots(queue, [ids[0]!, ids[1]!], { withData: false }),
    readJobSnapshots(queue, [ids[2]!], { withData: false }),
    readJobSnapshots(queue, ["2088000000000001-none"], { withData: false }),
    readJobSnapshots(queue, [ids[1]!], { withData: true }),
  ]);
  await settle();

  expect(first!.map((s) => s?.status)).toEqual(["queued", "queued"]);
  expect(first!.every((s) => s?.data === undefined)).toBe(true);
  expect(second!.map((s) => s?.status)).toEqual(["queued"]);
  expect(unknown).toEqual([undefined]);
  expect(withData![0]?.data?.request.item_id).toBe("b");
  // Four callers, two kinds: two round trips.
  expect(counted.calls).toBe(2);
});
