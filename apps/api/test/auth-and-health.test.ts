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

describe("bearer auth", () => {
  it.each([
    ["no Authorization header", {}],
    ["a wrong key", { authorization: "Bearer not-a-key" }],
    ["a key prefix", { authorization: "Bearer test-api" }],
    ["another scheme", { authorization: "Basic dGVzdC1hcGkta2V5" }],
  ])("answers 401 with %s and enqueues nothing", async (_case, headers) => {
    const res = await kit.app.inject({
      method: "POST",
      url: "/v1/scores",
      headers,
      payload: scoreBody("a-1"),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: "unauthorized" });
    expect(await countJobs(kit.scoreQueue)).toBe(0);
  });

  it("guards reads too, and accepts any configured key", async () => {
    const denied = await kit.app.inject({ method: "GET", url: "/v1/dead-letters" });
    expect(denied.statusCode).toBe(401);
    const other = await kit.app.inject({
      method: "GET",
      url: "/v1/dead-letters",
      headers: { authorization: "Bearer another-key" },
    });
    expect(other.statusCode).toBe(200);
    const res = await kit.app.inject({
      method: "POST",
      url: "/v1/scores",
      headers: AUTH,
      payload: scoreBody("a-2"),
    });
    expect(res.statusCode).toBe(202);
  });
});

describe("health and unknown routes", () => {
  it("healthz and readyz answer without a key", async () => {
    const health = await kit.app.inject({ method: "GET", url: "/healthz" });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: "ok" });
    const ready = await kit.app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ready" });
  });

  it("an unknown route answers 404 JSON", async () => {
    const res = await kit.app.inject({ method: "GET", url: "/v2/everything", headers: AUTH });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect(res.json()).toMatchObject({ error: "not_found" });
  });
});
