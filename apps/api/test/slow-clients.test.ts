/** A client trickling its body must be cut off at the request timeout (issue 14), on a real socket. */

import type { AddressInfo } from "node:net";
import { trickleRequest } from "@riskq/testing";
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { API_TIMEOUTS } from "../src/http/server-timeouts";
import { type ApiKit, AUTH, startApi } from "./support/api-harness";

const suite = useTestRedis({ url: process.env.REDIS_URL });
let kit: ApiKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

// Short limits so the test takes seconds; the production ones are checked below.
const TIMEOUTS = { requestMs: 1_000, headersMs: 1_000, idleMs: 5_000, keepAliveMs: 1_000 };

describe("request timeouts", () => {
  it("an authenticated client sending 1 byte every 100 ms is cut off at the request timeout", async () => {
    kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix, timeouts: TIMEOUTS });
    await kit.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = kit.app.server.address() as AddressInfo;
    const outcome = await trickleRequest({
      port,
      path: "/v1/scores",
      headers: AUTH,
      bodyBytes: 10_000,
      everyMs: 100,
      giveUpMs: 10_000,
    });
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(TIMEOUTS.requestMs - 50);
    expect(outcome.elapsedMs).toBeLessThan(TIMEOUTS.requestMs + 2_000);
    expect([408, undefined]).toContain(outcome.status);
    expect(outcome.bytesSent).toBeLessThan(10_000);
  });

  it("production limits cover the longest wait (10 s) and stay at most 30 s", () => {
    expect(API_TIMEOUTS.requestMs).toBeLessThanOrEqual(30_000);
    expect(API_TIMEOUTS.requestMs).toBeGreaterThan(10_000);
    expect(API_TIMEOUTS.idleMs).toBeGreaterThan(10_000);
    expect(API_TIMEOUTS.headersMs).toBeLessThanOrEqual(API_TIMEOUTS.requestMs);
  });
});
