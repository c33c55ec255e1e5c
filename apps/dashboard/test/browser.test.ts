import { existsSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { QUEUES } from "@riskq/contracts";
import { type AppProcess, createTestRedis, REPO_ROOT, startAppProcess, type TestRedis } from "@riskq/testing";
import { Queue } from "bullmq";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cardRiskRequest, deadLetterJob, fingerprint } from "./support/dead-letter-fixture";

// Debian's package, installed by scripts/ensure-chromium.sh: the test never downloads a browser.
const CHROMIUM = "/usr/bin/chromium";
const LAUNCH_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const LOGIN = { username: "ops", password: "browser-test-password-0123" };
const ARTIFACTS = join(REPO_ROOT, ".data/artifacts");

const print = fingerprint();
const token = `tok-browser-${Date.now()}`;
let redis: TestRedis;
let dashboard: AppProcess;
let browser: Browser;
let boardUrl: string;
let deadJobId: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: run \`bash scripts/ensure-chromium.sh\` (as root it installs Debian's chromium; scripts/setup.sh, and so pnpm test, runs it)`,
    );
  }
  redis = await createTestRedis({ url: process.env.REDIS_URL });
  const letter = await deadLetterJob({
    redisUrl: process.env.REDIS_URL,
    prefix: redis.prefix,
    request: { ...cardRiskRequest("browser-1", print.raw), app_auth_token: token },
    reason: "silent_drop",
    message: "Alipay answered 200 without this item",
  });
  deadJobId = letter.job_id;
  dashboard = await startAppProcess({
    name: "dashboard",
    script: "apps/dashboard/src/main.ts",
    readyEvent: "listening",
    env: {
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      RISKQ_PREFIX: redis.prefix,
      DASHBOARD_PORT: "0",
      DASHBOARD_USER: LOGIN.username,
      DASHBOARD_PASSWORD: LOGIN.password,
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
    },
  });
  boardUrl = String(dashboard.ready.url);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
  await redis?.cleanup();
});

/** A browser context that reaches the dashboard (and `alsoAllow`) only: the board's web font is not fetched. */
async function context(options: { login: boolean; alsoAllow?: string }): Promise<BrowserContext> {
  const ctx = await browser.newContext(options.login ? { httpCredentials: LOGIN } : {});
  // Well inside the test's timeout, so a missing element fails with Playwright's own message.
  ctx.setDefaultTimeout(10_000);
  const allowed = new Set([
    new URL(boardUrl).origin,
    ...(options.alsoAllow ? [new URL(options.alsoAllow).origin] : []),
  ]);
  await ctx.route(
    (url) => !allowed.has(url.origin),
    (route) => route.abort(),
  );
  return ctx;
}

describe("Bull Board in a real browser", () => {
  it("without credentials: a 401 Basic challenge and nothing of the board", async () => {
    const ctx = await context({ login: false });
    const page = await ctx.newPage();
    const answers: Array<{ status: number; challenge: string | undefined }> = [];
    page.on("response", (res) =>
      answers.push({ status: res.status(), challenge: res.headers()["www-authenticate"] }),
    );
    // With no credentials to offer, the browser gives up on the challenge: the navigation fails, and
    // the challenge is the only answer it got — no page, script, style or API call.
    await expect(page.goto(boardUrl)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    expect(answers).toEqual([{ status: 401, challenge: 'Basic realm="riskq dashboard", charset="UTF-8"' }]);
    await ctx.close();
  });

  it("with credentials: lists the queues, and score-dead shows the dead letter redacted", async () => {
    const ctx = await context({ login: true });
    const page = await ctx.newPage();
    await page.goto(boardUrl, { waitUntil: "domcontentloaded" });
    const menu = page.getByRole("navigation");
    for (const name of [QUEUES.score, QUEUES.dead, QUEUES.maintenance]) {
      await menu.getByRole("link", { name, exact: true }).waitFor();
    }
    // The environment badge.
    await page.getByText("test", { exact: true }).first().waitFor();

    await menu.getByRole("link", { name: QUEUES.dead, exact: true }).click();
    await page.getByText(deadJobId, { exact: true }).waitFor();
    await page.getByText("silent_drop").first().waitFor();
    await page.getByText("Alipay answered 200 without this item").waitFor();
    await page.getByText(print.masked).waitFor();
    const html = await page.content();
    expect(html).not.toContain(print.raw);
    expect(html).not.toContain(token);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-score-dead.png"), fullPage: true });
    await ctx.close();
  });

  it("the board's own requests may change things; a cross-site form posting to it is refused (403)", async () => {
    // Another origin (same host, another port) whose page auto-submits a form adding a maintenance job.
    const evil = await serveEvilPage(`${boardUrl}/api/queues/${QUEUES.maintenance}/add`);
    const ctx = await context({ login: true, alsoAllow: evil.url });
    try {
      const page = await ctx.newPage();
      await page.goto(boardUrl, { waitUntil: "domcontentloaded" });
      // The request the board's pause button sends: the browser adds Origin and Sec-Fetch-Site itself.
      const paused = await page.evaluate(
        async () => (await fetch("api/queues/score/pause", { method: "PUT" })).status,
      );
      expect(paused).toBe(200);

      // The browser attaches the cached Basic credentials to the cross-site post (so this is no 401):
      // only the CSRF check stands in the way.
      const answer = page.waitForResponse((res) => res.url().endsWith("/add"));
      await page.goto(evil.url);
      expect((await answer).status()).toBe(403);
    } finally {
      await ctx.close();
      await new Promise((resolve) => evil.server.close(resolve));
    }

    const check = {
      connection: { url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
      prefix: redis.prefix,
    };
    const score = new Queue(QUEUES.score, check);
    const maintenance = new Queue(QUEUES.maintenance, check);
    try {
      expect(await score.isPaused()).toBe(true);
      expect(await maintenance.count()).toBe(0);
    } finally {
      await Promise.all([score.close(), maintenance.close()]);
    }
  });
});

/** A page on a local port that posts a form to `target` as soon as it loads. */
async function serveEvilPage(target: string): Promise<{ server: Server; url: string }> {
  const html = `<!doctype html><form method="POST" action="${target}" enctype="text/plain">
<input name='{"name":"x","data":{},"pad":"' value='"}'></form><script>document.forms[0].submit()</script>`;
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}
