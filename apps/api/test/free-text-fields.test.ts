import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ApiKit, AUTH, countJobs, scoreBody, startApi } from "./support/api-harness";

const suite = useTestRedis({ url: process.env.REDIS_URL });
let kit: ApiKit;
beforeEach(async () => {
  kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix });
});
afterEach(async () => {
  await kit.close();
});

describe("model_version is a snapshot name, not free text", () => {
  it.each([
    "risk-v3-2026-11\n:rotating_light: *FIRING* model_retired",
    "risk-v3-2026-11\r\nx",
    "<!channel>",
    "x".repeat(65),
  ])("refuses %j with 400 at model_version and enqueues nothing", async (model_version) => {
    const res = await kit.app.inject({
      method: "POST",
      url: "/v1/scores",
      headers: AUTH,
      payload: scoreBody("m-1", { model_version }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: "invalid_request", issues: [{ path: "model_version" }] });
    expect(await countJobs(kit.scoreQueue)).toBe(0);
  });

  it("accepts a snapshot name", async () => {
    const res = await kit.app.inject({
      method: "POST",
      url: "/v1/scores",
      headers: AUTH,
      payload: scoreBody("m-2", { model_version: "risk-v3-2026-11" }),
    });
    expect(res.statusCode).toBe(202);
  });
});
