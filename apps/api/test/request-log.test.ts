import { createLogger } from "@riskq/observability";
import { useTestRedis } from "@riskq/testing/vitest";
import { expect, it } from "vitest";
import { API_KEY, AUTH, MERCHANT_ID, scoreBody, startApi } from "./support/api-harness";

const suite = useTestRedis({ url: process.env.REDIS_URL });
const FINGERPRINT = "ab".repeat(32);

it("logs one line per request without the bearer key, the body or card fingerprints", async () => {
  const lines: string[] = [];
  const logger = createLogger({
    name: "api",
    level: "debug",
    destination: { write: (l: string) => lines.push(l) },
  });
  await using kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix, logger });
  const body = scoreBody("log-1", { task: "card_risk", card_fingerprint: FINGERPRINT });
  expect(
    (await kit.app.inject({ method: "POST", url: "/v1/scores", headers: AUTH, payload: body })).statusCode,
  ).toBe(202);
  const get = await kit.app.inject({ method: "GET", url: `/v1/scores/${MERCHANT_ID}-log-1`, headers: AUTH });
  expect(get.statusCode).toBe(200);

  const text = lines.join("");
  const requests = lines.map((l) => JSON.parse(l) as { msg: string; route?: string; status?: number });
  expect(requests.filter((l) => l.msg === "request").map((l) => [l.route, l.status])).toEqual([
    ["/v1/scores", 202],
    ["/v1/scores/:id", 200],
  ]);
  expect(text).not.toContain(API_KEY);
  expect(text).not.toContain(FINGERPRINT);
  expect(text).not.toContain("log-1");
});

it("answers with the request id (echoed when safe) and puts it in the log line and error bodies", async () => {
  const lines: string[] = [];
  const logger = createLogger({
    name: "api",
    level: "info",
    destination: { write: (l: string) => lines.push(l) },
  });
  await using kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix, logger });

  const ok = await kit.app.inject({
    method: "GET",
    url: `/v1/scores/${MERCHANT_ID}-none`,
    headers: { ...AUTH, "x-request-id": "caller-7" },
  });
  expect(ok.headers["x-request-id"]).toBe("caller-7");
  expect(ok.json()).toMatchObject({ error: "not_found", request_id: "caller-7" });

  // No credentials, and an id that is not safe to log: a fresh one, in the header and the body.
  const refused = await kit.app.inject({
    method: "GET",
    url: "/v1/scores/x",
    headers: { "x-request-id": 'a"b c' },
  });
  expect(refused.statusCode).toBe(401);
  const generated = refused.headers["x-request-id"];
  expect(generated).toMatch(/^[0-9a-f-]{36}$/);
  expect(refused.json().request_id).toBe(generated);

  const requests = lines.map((l) => JSON.parse(l) as { msg: string; request_id?: string; status?: number });
  expect(requests.filter((l) => l.msg === "request").map((l) => [l.request_id, l.status])).toEqual([
    ["caller-7", 404],
    [generated, 401],
  ]);
});
