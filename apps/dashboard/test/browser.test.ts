import { existsSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { QUEUES } from "@riskq/contracts";
import { type AppProcess, createTestRedis, REPO_ROOT, startAppProcess, type TestRedis } from "@riskq/testing";
import { Queue } from "bullmq";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordTraffic } from "./support/cost-traffic";
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

describe("the cost page in a real browser", () => {
  it("is reached from the board's menu and plots the projected bill from recorded traffic, the current setting marked", async () => {
    // Recorded now, as a worker would; the page reads Redis at each request.
    await recordTraffic(redis.redis, redis.prefix, Date.now());
    const ctx = await context({ login: true });
    try {
      const page = await ctx.newPage();
      // Reached as an operator would: the board's header menu (Bull Board's miscLinks), last button.
      await page.goto(boardUrl, { waitUntil: "domcontentloaded" });
      await page.locator("header ul li button").last().click();
      await page.getByRole("menuitem", { name: /^Cost/ }).click();
      await page.waitForURL(/\/cost$/);
      await page.getByRole("heading", { name: "Spend so far" }).waitFor();
      // What the browser parsed and laid out: per curve its points and vertical extent on screen.
      const curves = await page.locator("svg.bill-chart polyline.curve").evaluateAll((lines) =>
        (lines as unknown as SvgPolyline[]).map((line) => ({
          panel: line.closest("svg")?.dataset.prefilter,
          batch: line.dataset.batch,
          current: line.classList.contains("current-batch"),
          points: Array.from({ length: line.points.numberOfItems }, (_, i) => line.points.getItem(i).y),
          height: line.getBoundingClientRect().height,
        })),
      );
      expect(curves).toHaveLength(8);
      for (const curve of curves) {
        expect(curve.points.length).toBeGreaterThanOrEqual(10);
        // Drawn with data: the bill changes with the threshold, so the line is not flat.
        expect(curve.height).toBeGreaterThan(10);
      }
      // The marker: one, on the current (shadow = every item sent) panel, on the current batch's curve.
      const marker = page.locator("#current-setting");
      expect(await marker.count()).toBe(1);
      const box = await marker.boundingBox();
      expect(box?.width).toBeGreaterThan(0);
      const markerY = await marker
        .locator("circle")
        .first()
        .evaluate((c) => Number(c.getAttribute("cy")));
      const current = curves.find((c) => c.panel === "off" && c.current);
      expect(current?.batch).toBe("100");
      // Threshold 0.70 is point 65 of 0.05, 0.06, … 0.95.
      expect(current?.points[65]).toBeCloseTo(markerY, 1);
      await page.getByText(/Current setting: threshold 0\.70/).waitFor();

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-cost.png"), fullPage: true });
    } finally {
      await ctx.close();
    }
  });
});

/** The parts of the DOM's SVGPolylineElement the cost test reads (no DOM typings in this repo). */
interface SvgPolyline {
  closest(selector: string): { dataset: Record<string, string | undefined> } | null;
  dataset: Record<string, string | undefined>;
  classList: { contains(name: string): boolean };
  points: { numberOfItems: number; getItem(index: number): { y: number } };
  getBoundingClientRect(): { height: number };
}

/** A page on a local port that posts a form to `target` as soon as it loads. */
async function serveEvilPage(target: string): Promise<{ server: Server; url: string }> {
  const html = `<!doctype html><form method="POST" action="${target}" enctype="text/plain">
<input name='{"name":"x","data":{},"pad":"' value='"}'></form><script>document.forms[0].submit()</script>`;
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}
