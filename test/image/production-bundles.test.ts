import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { type ScoreJobData, scoreJobId } from "@riskq/contracts";
import { type AppProcess, REPO_ROOT, startAppProcess } from "@riskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHIPPED_APPS } from "../../scripts/build";
import { sharedAppEnv } from "../e2e/support/app-env";
import { scoreRequests, testMerchants } from "../e2e/support/score-traffic";
import { type Stack, startStack } from "../e2e/support/stack";
import { type ImageDir, prepareImageDir } from "./support/image-dir";

/** Polls until `check` returns a value (a hang guard, not a timing assertion). */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, limitMs = 60_000) {
  const giveUpAt = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let image: ImageDir;
let stack: Stack;

beforeAll(async () => {
  [image, stack] = await Promise.all([prepareImageDir(), startStack({ workers: 0, api: false })]);
}, 240_000);
afterAll(async () => {
  await stack?.stop();
  image?.remove();
});

/** Starts `dist/<app>.mjs` of the image folder under plain node, from that folder, as the image does. */
function startBundle(app: "api" | "worker" | "dashboard", env: Record<string, string>, readyEvent: string) {
  const common = sharedAppEnv({
    redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    prefix: stack.prefix,
    secretKey: stack.secretKey,
    sandbox: stack.sandbox,
  });
  return startAppProcess({
    name: `${app} bundle`,
    script: image.bundle(app),
    runner: "node",
    cwd: image.dir,
    env: { ...common, ...env },
    readyEvent,
    startTimeoutMs: 40_000,
  });
}

describe("the production image's /app (bundles and production dependencies only)", () => {
  it("holds a bundle per shipped app and no development tools", () => {
    for (const app of SHIPPED_APPS) expect(existsSync(image.bundle(app)), app).toBe(true);
    for (const devOnly of ["tsx", "vitest", "esbuild", "@biomejs/biome", "@riskq/testing"]) {
      expect(existsSync(join(image.dir, "node_modules", devOnly)), devOnly).toBe(false);
    }
  });

  it("runs the CLI bundle under plain node: riskq --version", async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "apps/cli/package.json"), "utf8"));
    const { stdout } = await promisify(execFile)(process.execPath, [image.bundle("cli"), "--version"], {
      cwd: image.dir,
    });
    expect(stdout).toBe(`riskq ${version}\n`);
  });

  it("installs for exactly the apps scripts/build.ts bundles", () => {
    const script = readFileSync(join(REPO_ROOT, "scripts/install-production-deps.sh"), "utf8");
    const filtered = [...script.matchAll(/--filter-prod '@riskq\/([\w-]+)\.\.\.'/g)].map((m) => m[1]);
    expect(filtered.sort()).toEqual([...SHIPPED_APPS].sort());
  });

  it("the worker on SIGTERM completes every job in flight and exits 0 within its grace period", async () => {
    const merchants = testMerchants(4242, 2);
    await stack.onboardMerchants(merchants.map((m) => m.merchant_id));
    // 100 requests over two merchants: two batches of 50, under the cap of 100 with room for more
    // jobs, so they linger (5 s) instead of being sent at once.
    const requests = scoreRequests({ seed: 4242, merchants, count: 100 });
    const now = Date.now();
    await stack.scoreQueue.addBulk(
      requests.map((request) => {
        const data: ScoreJobData = { request, enqueued_at: now, deadline_at: now + 120_000 };
        return {
          name: request.task,
          data,
          opts: { jobId: scoreJobId(request.merchant_id, request.item_id) },
        };
      }),
    );
    const worker: AppProcess = await startBundle(
      "worker",
      {
        WORKER_METRICS_PORT: "0",
        BATCH_CAP: "100",
        WORKER_CONCURRENCY: "200",
        BATCH_LINGER_MS: "5000",
        // Shorter than the linger: unless SIGTERM flushes the batches, the grace period runs out with
        // the jobs still active and the process exits 1.
        SHUTDOWN_GRACE_MS: "3000",
      },
      "worker-ready",
    );
    try {
      // Its liveness and readiness probe (deploy/kubernetes/worker.yaml) answers.
      expect((await fetch(String(worker.ready.metrics))).status).toBe(200);
      await eventually("100 active jobs", async () =>
        (await stack.scoreQueue.getActiveCount()) === 100 ? true : undefined,
      );
      // Let the last fetched jobs reach their batches before the signal.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const inFlight = (await stack.scoreQueue.getActive()).map((j) => j.id!).sort();
      expect(inFlight).toHaveLength(100);

      // SIGTERM; SIGKILL only long after the grace period (a killed process exits with null).
      await worker.stop(20_000);
      expect(await worker.exited).toBe(0);
      expect(await stack.scoreQueue.getActiveCount()).toBe(0);
      expect(await stack.scoreQueue.getFailedCount()).toBe(0);
      const completed = (await stack.scoreQueue.getCompleted(0, -1)).map((j) => j.id!).sort();
      expect(completed).toEqual(inFlight);
      // Nothing handed back or left waiting: every job was in flight and finished.
      expect(await stack.scoreQueue.getJobCountByTypes("waiting", "delayed", "prioritized")).toBe(0);
    } finally {
      await worker.kill();
    }
  }, 120_000);

  it("the API answers its probes (/healthz, /readyz), serves /openapi.json and /docs, and exits 0 on SIGTERM", async () => {
    const api = await startBundle("api", { API_PORT: "0", RISKQ_API_KEYS: stack.apiKey }, "listening");
    try {
      for (const route of ["/healthz", "/readyz"]) {
        const answer = await fetch(`${String(api.ready.url)}${route}`);
        expect(answer.status, route).toBe(200);
      }
      // The OpenAPI document and its reference page, whose files come from the image's node_modules.
      const document = await fetch(`${String(api.ready.url)}/openapi.json`);
      expect(await document.json()).toMatchObject({ openapi: expect.stringMatching(/^3\.1\./) });
      for (const route of ["/docs", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/init.js"]) {
        const answer = await fetch(`${String(api.ready.url)}${route}`);
        expect(answer.status, route).toBe(200);
        expect((await answer.text()).length, route).toBeGreaterThan(0);
      }
      await api.stop(20_000);
      expect(await api.exited).toBe(0);
    } finally {
      await api.kill();
    }
  }, 60_000);
});
