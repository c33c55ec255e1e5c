/**
 * Earliest deadline first: within one process (the local wait lane) and across processes (claims in
 * Redis). Orders are asserted on Redis's clock (each permit's grant time), never durations.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "@riskq/testing";
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { CallRateLimiter } from "../src/index";
import { jsonLines } from "./fixtures/json-lines";

const suite = useTestRedis({ url: process.env.REDIS_URL });
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** A limiter on the test's prefix whose rate stays at `rate` (no outcomes are reported), no burst. */
function steadyLimiter(rate: number): CallRateLimiter {
  const { redis, prefix } = suite.redis;
  return new CallRateLimiter({ redis, prefix, initialRate: rate, minRate: rate, burstSeconds: 0 });
}

interface Grant {
  priority: number;
  grantedAt: number;
}

describe("call-rate limiter: priority within one process", () => {
  it("grants the lowest priority first, equal ones in arrival order, unprioritized callers last", async () => {
    const limiter = steadyLimiter(5);
    await limiter.acquire("b"); // the bucket is empty now: everyone below queues behind the head
    const order: string[] = [];
    const wait = (name: string, priority?: number) =>
      limiter.acquire("b", { priority }).then(() => order.push(name));
    await Promise.all([
      wait("none-a"),
      wait("p5", 5),
      wait("p1", 1),
      wait("p3-a", 3),
      wait("none-b"),
      wait("p3-b", 3),
    ]);
    expect(order).toEqual(["p1", "p3-a", "p3-b", "p5", "none-a", "none-b"]);
  });

  it("never grants an aborted waiter: its turn goes to the next lowest", async () => {
    const limiter = steadyLimiter(5);
    await limiter.acquire("b");
    const controller = new AbortController();
    const order: number[] = [];
    const first = limiter.acquire("b", { priority: 1, signal: controller.signal });
    const second = limiter.acquire("b", { priority: 2 }).then(() => order.push(2));
    const third = limiter.acquire("b", { priority: 3 }).then(() => order.push(3));
    controller.abort(new Error("deadline passed"));
    await expect(first).rejects.toThrow("deadline passed");
    await Promise.all([second, third]);
    expect(order).toEqual([2, 3]);
  });
});

describe("call-rate limiter: priority across processes", () => {
  it("grants process B's low priorities before process A's high ones while both wait", async () => {
    const a = startWaiters(range(100, 12), 2);
    const b = startWaiters(range(1, 4), 2);
    await Promise.all([a.next("ready"), b.next("ready")]);
    a.go();
    // A is waiting (the bucket gives one call per 500 ms and A has 11 more callers) before B starts.
    const aGrants: Grant[] = [grant(await a.next("granted"))];
    b.go();
    const bGrants: Grant[] = [];
    for (let i = 0; i < 4; i++) bGrants.push(grant(await b.next("granted")));
    const lastB = Math.max(...bGrants.map((g) => g.grantedAt));
    // A resumes once B is served.
    for (;;) {
      const next = grant(await a.next("granted"));
      aGrants.push(next);
      if (next.grantedAt > lastB) break;
    }
    const firstB = Math.min(...bGrants.map((g) => g.grantedAt));
    console.log(`A granted at ${clock(aGrants)}; B at ${clock(bGrants)} (ms on Redis's clock, mod 100 s)`);
    expect(bGrants.map((g) => g.priority)).toEqual([1, 2, 3, 4]);
    expect(aGrants.map((g) => g.priority)).toEqual(range(100, aGrants.length));
    // B's first grant may follow a call A had already been due; after it, none of A's until B is done.
    expect(aGrants.filter((g) => g.grantedAt > firstB && g.grantedAt < lastB)).toEqual([]);
  }, 30_000);

  it("a claimant that dies while waiting does not hold the others up", async () => {
    const b = startWaiters(range(1, 50), 2);
    await b.next("ready");
    b.go();
    const bGrants = [grant(await b.next("granted"))];
    const limiter = steadyLimiter(2);
    const aGrants: Grant[] = [];
    const waiting = Promise.all(
      range(100, 3).map((priority) =>
        limiter.acquire("b", { priority }).then((p) => aGrants.push({ priority, grantedAt: p.grantedAt })),
      ),
    );
    // B, with the lower priorities, keeps the bucket meanwhile.
    bGrants.push(grant(await b.next("granted")), grant(await b.next("granted")));
    expect(aGrants).toEqual([]);
    b.kill();
    await waiting;
    expect(aGrants.map((g) => g.priority)).toEqual([100, 101, 102]);
    expect(Math.min(...aGrants.map((g) => g.grantedAt))).toBeGreaterThan(
      Math.max(...bGrants.map((g) => g.grantedAt)),
    );
  }, 30_000);

  it("a limiter whose waiters gave up does not hold the others up", async () => {
    const dropped = steadyLimiter(2);
    await dropped.acquire("b");
    const controller = new AbortController();
    const abandoned = dropped.acquire("b", { priority: 1, signal: controller.signal });
    // Let its head claim the next call in Redis, then leave.
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(new Error("shutting down"));
    await expect(abandoned).rejects.toThrow("shutting down");
    const other = steadyLimiter(2);
    const permit = await other.acquire("b", { priority: 100 });
    expect(permit.buckets).toEqual(["b"]);
  });
});

function clock(grants: Grant[]): string {
  return grants.map((g) => (g.grantedAt % 100_000).toFixed(0)).join(" ");
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

function grant(line: Record<string, unknown>): Grant {
  return { priority: Number(line.priority), grantedAt: Number(line.grantedAt) };
}

/** Spawns fixtures/priority-waiters.ts on the test's prefix and reads its JSON lines by event. */
function startWaiters(priorities: number[], rate: number) {
  // Node itself with tsx's loader (not the tsx wrapper, which runs node as a child of its own): a
  // kill then ends the process that holds the claims.
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(REPO_ROOT, "packages/pipeline/test/fixtures/priority-waiters.ts")],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        WAITERS_REDIS_URL: REDIS_URL,
        WAITERS_PREFIX: suite.redis.prefix,
        WAITERS_BUCKET: "b",
        WAITERS_PRIORITIES: JSON.stringify(priorities),
        WAITERS_RATE: String(rate),
      },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  children.push(child);
  const lines = jsonLines(child, "waiters");
  return {
    go: () => child.stdin!.write("go\n"),
    kill: () => child.kill("SIGKILL"),
    next: lines.next,
  };
}
