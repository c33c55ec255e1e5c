import { afterEach, expect, it } from "vitest";
import { type ApiKit, AUTH, scoreBody, startApi } from "./support/api-harness";
import { type PrivateRedis, startPrivateRedis } from "./support/private-redis";

let redis: PrivateRedis | undefined;
let kit: ApiKit | undefined;

afterEach(async () => {
  await kit?.close();
  await redis?.kill();
});

it("answers 503 when Redis is down (never hangs) and recovers when it is back", async () => {
  redis = await startPrivateRedis();
  kit = await startApi({ redisUrl: redis.url, prefix: "{api-down}" });
  const post = (itemId: string) =>
    kit!.app.inject({ method: "POST", url: "/v1/scores", headers: AUTH, payload: scoreBody(itemId) });

  expect((await post("before")).statusCode).toBe(202);

  await redis.kill();
  const down = await post("during");
  expect(down.statusCode).toBe(503);
  expect(down.json()).toMatchObject({ error: "unavailable" });
  const readyz = await kit.app.inject({ method: "GET", url: "/readyz" });
  expect(readyz.statusCode).toBe(503);
  const healthz = await kit.app.inject({ method: "GET", url: "/healthz" });
  expect(healthz.statusCode).toBe(200);

  await redis.restart();
  // The client reconnects in the background; the test's timeout bounds how long that may take.
  let status = 0;
  while (status !== 202) {
    status = (await post("after")).statusCode;
    if (status !== 202) {
      expect(status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  expect((await kit.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
}, 30_000);

it("answers 503 when Redis hangs with the connection open (command timeout), then recovers", async () => {
  redis = await startPrivateRedis();
  kit = await startApi({ redisUrl: redis.url, prefix: "{api-hung}" });
  const post = (itemId: string) =>
    kit!.app.inject({ method: "POST", url: "/v1/scores", headers: AUTH, payload: scoreBody(itemId) });
  expect((await post("before")).statusCode).toBe(202);

  redis.pause();
  try {
    const hung = await post("during");
    expect(hung.statusCode).toBe(503);
    expect(hung.json()).toMatchObject({ error: "unavailable" });
  } finally {
    redis.resume();
  }
  let status = 0;
  while (status !== 202) {
    status = (await post("after")).statusCode;
    if (status !== 202) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(status).toBe(202);
}, 30_000);
