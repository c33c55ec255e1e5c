/**
 * `pnpm demo` end to end: the real demo as a child process (it starts the sandbox, the API, two
 * workers, the scheduler and the dashboard itself), with a short timeline and piped output. Every
 * incident must be reported handled from the signals, the invariant must hold, and nothing may be
 * left behind — on a normal end and on Ctrl-C.
 */
import { connectRedis } from "@riskq/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appPids, isAlive, startDemo } from "./support/demo-process";

const redis = connectRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
beforeAll(async () => {
  await redis.ping();
});
afterAll(async () => {
  await redis.quit();
});

/** Keys left under a prefix (the demo deletes its own at the end). */
async function keysUnder(prefix: string): Promise<number> {
  const [, keys] = await redis.scan(
    "0",
    "MATCH",
    `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`,
    "COUNT",
    100_000,
  );
  return keys.length;
}

/** The demo's prefix, from its first line. */
function prefixOf(stdout: string): string {
  const prefix = /on (\{riskq-demo-[0-9a-f]+\})/.exec(stdout)?.[1];
  expect(prefix, stdout).toBeDefined();
  return prefix!;
}

const INCIDENTS = ["model retirement", "key rotation", "token expiry", "429 storm", "young account"];

describe("pnpm demo", () => {
  it("runs a short timeline: every incident handled, enqueued = completed + dead, the board's URL, nothing left", async () => {
    const demo = startDemo(["--duration", "15", "--rate", "30"]);
    // Its apps, seen while the traffic flows.
    await demo.waitForLine(/▶ model retirement/);
    const apps = appPids(demo.pid);
    const code = await demo.exited;
    const out = demo.stdout;
    expect(code, `${out}\n${demo.stderr}`).toBe(0);

    for (const name of INCIDENTS) {
      expect(out, `no handled line for ${name}`).toMatch(
        new RegExp(`^\\[\\d+:\\d\\d\\] ✓ ${name} → .+`, "m"),
      );
    }
    const invariant = /invariant\s+enqueued (\d+) = completed (\d+) \+ dead (\d+) ✓/.exec(out);
    expect(invariant, out).not.toBeNull();
    const [enqueued, completed, dead] = invariant!.slice(1).map(Number) as [number, number, number];
    expect(enqueued).toBeGreaterThan(0);
    expect(completed + dead).toBe(enqueued);
    expect(out).toMatch(/incidents handled\s+5 of 5/);
    expect(out).toMatch(
      /Bull Board: http:\/\/127\.0\.0\.1:\d+\/admin\/queues {2}\(user riskq, password riskq-development-only-password\)/,
    );
    // The summary points at the API's reference, for services outside TypeScript.
    expect(out).toMatch(
      /API reference: http:\/\/127\.0\.0\.1:\d+\/docs {2}\(OpenAPI document: .+\/openapi\.json\)/,
    );

    // The sandbox, the API, two workers, the scheduler and the dashboard: all gone, their keys too.
    expect(apps.length).toBe(6);
    expect(apps.filter(isAlive)).toEqual([]);
    expect(await keysUnder(prefixOf(out))).toBe(0);
  }, 150_000);

  it("on Ctrl-C stops the traffic and every app, deletes its keys and exits 130", async () => {
    const demo = startDemo(["--duration", "60"]);
    // The traffic flows.
    await demo.waitForLine(/^\[0:00\] enqueued/);
    const apps = appPids(demo.pid);
    expect(apps.length).toBe(6);
    const prefix = prefixOf(demo.stdout);
    expect(await keysUnder(prefix)).toBeGreaterThan(0);

    process.kill(demo.pid, "SIGINT");
    expect(await demo.exited).toBe(130);
    expect(demo.stdout).toMatch(/interrupted: stopping the traffic and the apps/);
    expect(demo.stdout).not.toMatch(/Summary:/);
    expect(apps.filter(isAlive)).toEqual([]);
    expect(await keysUnder(prefix)).toBe(0);
  }, 60_000);
});
