import { loadConfig } from "@riskq/config";
import { startAppProcess } from "@riskq/testing";
import { useTestRedis } from "@riskq/testing/vitest";
import { describe, expect, it } from "vitest";
import { dashboardEnv } from "../src/config";

const suite = useTestRedis({ url: process.env.REDIS_URL });
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("configuration", () => {
  it("outside production, missing credentials take marked development defaults", () => {
    const { config, warnings } = loadConfig(dashboardEnv, {});
    expect(config).toMatchObject({
      DASHBOARD_HOST: "127.0.0.1",
      DASHBOARD_PORT: 3001,
      DASHBOARD_USER: "riskq",
    });
    expect(warnings).toEqual([
      "DASHBOARD_USER not set: using the development default (never use it in production)",
      "DASHBOARD_PASSWORD not set: using the development default (never use it in production)",
    ]);
  });

  it("in production the app refuses to start without DASHBOARD_PASSWORD, naming it", async () => {
    await expect(
      startAppProcess({
        name: "dashboard",
        script: "apps/dashboard/src/main.ts",
        readyEvent: "listening",
        env: { NODE_ENV: "production", DASHBOARD_USER: "ops", REDIS_URL, RISKQ_PREFIX: suite.redis.prefix },
      }),
    ).rejects.toThrow(
      /exited early \(code 1[\s\S]*riskq: configuration error: DASHBOARD_PASSWORD is required in production/,
    );
  });

  it.each([
    ["the development password", "riskq-development-only-password", "holds the development default"],
    ["a password under 16 characters", "short-password", "must be at least 16 characters"],
  ])(
    "in production the app refuses %s, naming DASHBOARD_PASSWORD, never the value",
    async (_, password, problem) => {
      const failure = await startAppProcess({
        name: "dashboard",
        script: "apps/dashboard/src/main.ts",
        readyEvent: "listening",
        env: {
          NODE_ENV: "production",
          DASHBOARD_USER: "ops",
          DASHBOARD_PASSWORD: password,
          REDIS_URL,
          RISKQ_PREFIX: suite.redis.prefix,
        },
      }).then(
        () => new Error("the dashboard started"),
        (error: Error) => error,
      );
      expect(failure.message).toMatch(
        new RegExp(`exited early \\(code 1[\\s\\S]*DASHBOARD_PASSWORD ${problem}`),
      );
      expect(failure.message).not.toContain(password);
    },
  );
});

describe("the app", () => {
  it("prints its URL when ready, never the password, and stops cleanly on SIGTERM", async () => {
    const password = "app-process-test-password-0123";
    const app = await startAppProcess({
      name: "dashboard",
      script: "apps/dashboard/src/main.ts",
      readyEvent: "listening",
      env: {
        REDIS_URL,
        RISKQ_PREFIX: suite.redis.prefix,
        DASHBOARD_PORT: "0",
        DASHBOARD_USER: "ops",
        DASHBOARD_PASSWORD: password,
        NODE_ENV: "production",
        LOG_LEVEL: "debug",
      },
    });
    try {
      expect(app.ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin\/queues$/);
      const url = String(app.ready.url);
      expect((await fetch(url)).status).toBe(401);
      const authorization = `Basic ${Buffer.from(`ops:${password}`).toString("base64")}`;
      expect((await fetch(`${url}/api/queues`, { headers: { authorization } })).status).toBe(200);
    } finally {
      await app.stop();
    }
    expect(await app.exited).toBe(0);
    expect(app.stdout).toContain('"msg":"riskq dashboard listening"');
    expect(`${app.stdout}${app.stderr}`).not.toContain(password);
  });
});
