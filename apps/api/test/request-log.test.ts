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
