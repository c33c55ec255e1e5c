/** A client trickling its request must be cut off at the request timeout (issue 14), on a real socket. */
import type { AddressInfo } from "node:net";
import { trickleRequest } from "@riskq/testing";
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { DASHBOARD_TIMEOUTS } from "../src/http/server-timeouts";
import { AUTH, type DashboardKit, startDashboard } from "./support/dashboard-kit";

const suite = useTestRedis({ url: process.env.REDIS_URL });
let kit: DashboardKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const TIMEOUTS = { requestMs: 1_000, headersMs: 1_000, idleMs: 5_000, keepAliveMs: 1_000 };

describe("request timeouts", () => {
  it("a logged-in client sending 1 byte every 100 ms is cut off at the request timeout", async () => {
    kit = await startDashboard({
      redisUrl: process.env.REDIS_URL,
      prefix: suite.redis.prefix,
      timeouts: TIMEOUTS,
    });
    await kit.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = kit.app.server.address() as AddressInfo;
    const outcome = await trickleRequest({
      port,
      path: "/admin/queues/api/queues",
      headers: { ...AUTH, origin: `http://127.0.0.1:${port}` },
      bodyBytes: 10_000,
      everyMs: 100,
      giveUpMs: 10_000,
    });
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(TIMEOUTS.requestMs - 50);
    expect(outcome.elapsedMs).toBeLessThan(TIMEOUTS.requestMs + 2_000);
    expect([408, undefined]).toContain(outcome.status);
  });

  it("production limits are set and at most 30 s", () => {
    expect(DASHBOARD_TIMEOUTS.requestMs).toBeLessThanOrEqual(30_000);
    expect(DASHBOARD_TIMEOUTS.headersMs).toBeLessThanOrEqual(DASHBOARD_TIMEOUTS.requestMs);
  });
});
