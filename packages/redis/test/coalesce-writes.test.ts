import { randomBytes } from "node:crypto";
import { once } from "node:events";
import type { Writable } from "node:stream";
import type { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { type CoalesceOptions, coalesceWrites, MAX_CORKED } from "../src/coalesce-writes";
import { connectRedis } from "../src/connect-redis";
import { deletePrefix } from "../src/delete-prefix";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `{t-${randomBytes(4).toString("hex")}}`;
const open: Redis[] = [];

afterEach(async () => {
  for (const redis of open.splice(0)) {
    await deletePrefix(redis, prefix);
    const ended = once(redis, "end");
    await redis.quit();
    await ended;
  }
});

async function connected(options: CoalesceOptions = {}): Promise<Redis> {
  const redis = connectRedis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  open.push(redis);
  coalesceWrites(redis, options);
  await redis.connect();
  return redis;
}

/** Counts the writes that reach the socket's own write methods (each one a system call or more). */
function countSocketWrites(redis: Redis): { writes: number } {
  const stream = (redis as unknown as { stream: Writable & Record<string, unknown> }).stream;
  const seen = { writes: 0 };
  for (const method of ["_write", "_writev"] as const) {
    const original = stream[method] as (...args: unknown[]) => unknown;
    stream[method] = (...args: unknown[]) => {
      seen.writes += 1;
      return original.apply(stream, args);
    };
  }
  return seen;
}

describe("coalesceWrites", () => {
  it("sends the commands of one turn in one socket write, each answered in order", async () => {
    const redis = await connected();
    const socket = countSocketWrites(redis);
    const key = `${prefix}:counter`;

    const replies = await Promise.all(Array.from({ length: 20 }, () => redis.incr(key)));

    expect(replies).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(socket.writes).toBe(1);
  });

  it("lets a long turn's commands go every MAX_CORKED, so Redis never waits for the whole turn", async () => {
    const redis = await connected();
    const socket = countSocketWrites(redis);
    const key = `${prefix}:long-turn`;
    const count = MAX_CORKED * 2 + 5;

    const replies = await Promise.all(Array.from({ length: count }, () => redis.incr(key)));

    expect(replies).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    // Two full writes during the turn, the rest at its end.
    expect(socket.writes).toBe(3);
  });

  it("until the iteration's end: commands of several callbacks (a server's requests) share a write", async () => {
    const perTick = await connected();
    const perIteration = await connected({ until: "iteration" });
    const tickWrites = countSocketWrites(perTick);
    const iterationWrites = countSocketWrites(perIteration);
    // Three timer callbacks of one timers phase, each sending one command on each connection.
    const replies = await Promise.all(
      [1, 2, 3].map(
        (n) =>
          new Promise<unknown[]>((resolve) =>
            setTimeout(
              () => void Promise.all([perTick.echo(`t${n}`), perIteration.echo(`i${n}`)]).then(resolve),
              0,
            ),
          ),
      ),
    );

    expect(replies).toEqual([
      ["t1", "i1"],
      ["t2", "i2"],
      ["t3", "i3"],
    ]);
    expect(tickWrites.writes).toBe(3);
    expect(iterationWrites.writes).toBe(1);
  });

  it("keeps sending in later turns, and on the socket of a reconnection", async () => {
    const redis = await connected();
    const key = `${prefix}:later`;
    expect(await redis.set(key, "a")).toBe("OK");
    expect(await redis.get(key)).toBe("a");

    redis.disconnect(true);
    await once(redis, "ready");
    const socket = countSocketWrites(redis);
    const [appended, read] = await Promise.all([redis.append(key, "b"), redis.get(key)]);

    expect([appended, read]).toEqual([2, "ab"]);
    expect(socket.writes).toBe(1);
  });

  it("without it, each command of a turn is a write of its own (what the test above would see)", async () => {
    const redis = connectRedis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    open.push(redis);
    await redis.connect();
    const socket = countSocketWrites(redis);

    await Promise.all(Array.from({ length: 10 }, () => redis.ping()));

    expect(socket.writes).toBe(10);
  });
});
