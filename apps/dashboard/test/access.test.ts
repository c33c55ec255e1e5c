import { createLogger } from "@riskq/observability";
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AUTH, basic, CREDENTIALS, type DashboardKit, startDashboard } from "./support/dashboard-kit";

const suite = useTestRedis({ url: process.env.REDIS_URL });
let kit: DashboardKit;

beforeEach(async () => {
  kit = await startDashboard({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix });
});
afterEach(async () => {
  await kit.close();
});

// One of each kind: the redirect, the board's pages, its API (reads and a write), a static file, the
// cost page and its JSON, and a path that does not exist.
const ROUTES = [
  ["GET", "/"],
  ["GET", "/admin/queues"],
  ["GET", "/admin/queues/queue/score-dead"],
  ["GET", "/admin/queues/api/queues?activeQueue=score-dead&status=latest&page=1&jobsPerPage=10"],
  ["GET", "/admin/queues/api/redis/stats"],
  ["GET", "/admin/queues/api/job-schedulers"],
  ["GET", "/admin/queues/static/favicon-32x32.png"],
  ["PUT", "/admin/queues/api/queues/score/pause"],
  ["GET", "/cost"],
  ["GET", "/cost.json"],
  ["GET", "/no/such/page"],
] as const;

describe("HTTP Basic auth", () => {
  const badCredentials = [
    ["no Authorization header", undefined],
    ["a wrong password", basic(CREDENTIALS.user, "not-the-password")],
    ["a wrong user", basic("admin", CREDENTIALS.password)],
    ["the password with a suffix", basic(CREDENTIALS.user, `${CREDENTIALS.password}x`)],
    ["user and password swapped", basic(CREDENTIALS.password, CREDENTIALS.user)],
    ["no colon", `Basic ${Buffer.from(CREDENTIALS.user).toString("base64")}`],
    ["another scheme", `Bearer ${CREDENTIALS.password}`],
    ["not base64", "Basic !!!"],
  ] as const;

  it.each(badCredentials)(
    "answers 401 with a Basic challenge on every route with %s",
    async (_case, authorization) => {
      for (const [method, url] of ROUTES) {
        const res = await kit.app.inject({
          method,
          url,
          headers: {
            ...(authorization === undefined ? {} : { authorization }),
            // A same-origin write, so only the credentials can be why it is refused.
            origin: "http://localhost:80",
            "sec-fetch-site": "same-origin",
          },
        });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(res.headers["www-authenticate"]).toMatch(/^Basic realm="riskq dashboard"/);
        // Nothing of the board leaks with the refusal.
        expect(res.body).not.toMatch(/score-dead|<html|"queues"/);
      }
      expect(await kit.queue("score").isPaused()).toBe(false);
    },
  );

  it("answers with the board, its API and its static files given the credentials", async () => {
    const page = await kit.app.inject({ method: "GET", url: "/admin/queues", headers: AUTH });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.body).toContain("<title>riskq</title>");
    // The environment badge and the title reach the UI through its config.
    expect(page.body).toMatch(/"environment":\{"label":"test","color":"#[0-9a-f]{6}"/);
    // Never framed by another site, never cached.
    expect(page.headers["x-frame-options"]).toBe("DENY");
    expect(page.headers["cache-control"]).toBe("no-store");

    const api = await kit.app.inject({ method: "GET", url: "/admin/queues/api/queues", headers: AUTH });
    expect(api.statusCode).toBe(200);
    expect(api.json<{ queues: Array<{ name: string }> }>().queues.map((q) => q.name)).toEqual([
      "score",
      "score-dead",
      "maintenance",
      "score-callbacks",
    ]);

    const icon = await kit.app.inject({
      method: "GET",
      url: "/admin/queues/static/favicon-32x32.png",
      headers: AUTH,
    });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers["content-type"]).toBe("image/png");

    const root = await kit.app.inject({ method: "GET", url: "/", headers: AUTH });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe("/admin/queues");
  });
});

describe("CSRF: state-changing requests must come from the board's own origin", () => {
  // inject() sends `Host: localhost:80`, so that is "this dashboard" here.
  const pause = (headers: Record<string, string>) =>
    kit.app.inject({
      method: "PUT",
      url: "/admin/queues/api/queues/score/pause",
      headers: { ...AUTH, ...headers },
    });

  it.each([
    ["a foreign Origin", { origin: "https://evil.example" }],
    ["a foreign Origin on the same host name but another port", { origin: "http://localhost:8080" }],
    ["Origin: null (a sandboxed frame or a file)", { origin: "null" }],
    ["a foreign Referer and no Origin", { referer: "https://evil.example/page.html" }],
    ["neither Origin nor Referer", {}],
    ["Sec-Fetch-Site: cross-site", { origin: "http://localhost", "sec-fetch-site": "cross-site" }],
    [
      "Sec-Fetch-Site: same-site (a sibling subdomain)",
      { origin: "http://localhost", "sec-fetch-site": "same-site" },
    ],
  ])("refuses %s with 403 and changes nothing", async (_case, headers) => {
    const res = await pause(headers);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain("dashboard's own pages");
    expect(await kit.queue("score").isPaused()).toBe(false);
  });

  it.each([
    [
      "a same-origin Origin and Sec-Fetch-Site",
      { origin: "http://localhost", "sec-fetch-site": "same-origin" },
    ],
    ["a same-origin Origin (older browsers send no Sec-Fetch-Site)", { origin: "http://localhost:80" }],
    ["a same-origin Referer and no Origin", { referer: "http://localhost/admin/queues/queue/score" }],
  ])("accepts %s", async (_case, headers) => {
    const res = await pause(headers);
    expect(res.statusCode).toBe(200);
    expect(await kit.queue("score").isPaused()).toBe(true);
  });

  it("lets reads through whatever their origin (a cross-site page cannot read the answer)", async () => {
    const res = await kit.app.inject({
      method: "GET",
      url: "/admin/queues/api/queues",
      headers: { ...AUTH, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("request ids", () => {
  it("are on every answer, echoed when safe, and in the dashboard's own error bodies", async () => {
    const refused = await kit.app.inject({
      method: "GET",
      url: "/admin/queues",
      headers: { "x-request-id": "ops-1" },
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers["x-request-id"]).toBe("ops-1");
    expect(refused.body).toContain("request_id ops-1");

    const missing = await kit.app.inject({ method: "GET", url: "/no/such/page", headers: AUTH });
    expect(missing.statusCode).toBe(404);
    const id = missing.headers["x-request-id"];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(missing.json()).toEqual({ error: "not_found", message: "no such page", request_id: id });

    const board = await kit.app.inject({
      method: "GET",
      url: "/admin/queues",
      headers: { ...AUTH, "x-request-id": "<x>" },
    });
    expect(board.statusCode).toBe(200);
    expect(board.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("are in the request log lines", async () => {
    const lines: string[] = [];
    const logger = createLogger({
      name: "dashboard",
      level: "debug",
      destination: { write: (l: string) => lines.push(l) },
    });
    const logged = await startDashboard({
      redisUrl: process.env.REDIS_URL,
      prefix: suite.redis.prefix,
      logger,
    });
    try {
      await logged.app.inject({ method: "GET", url: "/admin/queues", headers: { "x-request-id": "ops-2" } });
      const line = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.request_id === "ops-2");
      expect(line).toMatchObject({ status: 401, route: "/admin/queues" });
    } finally {
      await logged.close();
    }
  });
});
