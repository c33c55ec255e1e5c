/**
 * Inputs that used to crash the API (500) or mislead it (issue 14): bodies nested past any real
 * request, ids naming BullMQ's own keys, implausible dates, hex numbers and over-long path ids.
 * Each must answer in the API's own 4xx shape, never 500, and touch nothing.
 */
import { useTestRedis } from "@riskq/testing/vitest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../src/http/json-depth";
import { type ApiKit, AUTH, countJobs, MERCHANT_ID, scoreBody, startApi } from "./support/api-harness";

const suite = useTestRedis({ url: process.env.REDIS_URL });
let kit: ApiKit;

beforeEach(async () => {
  kit = await startApi({ redisUrl: process.env.REDIS_URL, prefix: suite.redis.prefix });
});
afterEach(async () => {
  await kit.close();
});

const request = (method: "GET" | "POST" | "DELETE", url: string, payload?: string | object) =>
  kit.app.inject({
    method,
    url,
    headers: { ...AUTH, ...(payload === undefined ? {} : { "content-type": "application/json" }) },
    ...(payload === undefined ? {} : { payload }),
  });

describe("deeply nested bodies", () => {
  const inUnknownField = (nested: string) =>
    JSON.stringify(scoreBody("deep")).replace(/}$/, `,"extra":${nested}}`);

  it.each([
    ["50 000 arrays", `${"[".repeat(50_000)}${"]".repeat(50_000)}`],
    ["20 000 objects", `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`],
  ])("%s in an unknown field answer 400 naming the limit, and enqueue nothing", async (_, nested) => {
    for (const url of ["/v1/scores", "/v1/scores/batch"]) {
      const res = await request("POST", url, inUnknownField(nested));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: "invalid_json" });
      expect(res.json().message).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
    }
    expect(Object.values(await countJobs(kit.scoreQueue)).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("brackets inside strings do not count, and a body at the limit is read", async () => {
    // Far more brackets than the limit, all inside a string: refused for the unknown field, not its depth.
    const strings = await request("POST", "/v1/scores", inUnknownField(JSON.stringify("[{".repeat(100))));
    expect(strings.statusCode).toBe(400);
    expect(strings.json().error).toBe("invalid_request");
    const atLimit = `${"[".repeat(MAX_JSON_DEPTH - 1)}${"]".repeat(MAX_JSON_DEPTH - 1)}`;
    const res = await request("POST", "/v1/scores", inUnknownField(atLimit));
    // Read, then refused for what it says (an unknown field), not for its depth.
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe("invalid_request");
  });
});

describe("dead-letter ids that cannot be job ids", () => {
  // A dead letter and a job make BullMQ write its own keys (meta, id, events, wait) in both queues.
  beforeEach(async () => {
    await request("POST", "/v1/scores", scoreBody("real"));
    await kit.deadQueue.add("invalid_payload", { job_id: `${MERCHANT_ID}-real` } as never, {
      jobId: `${MERCHANT_ID}-real`,
    });
  });

  it.each(["meta", "id", "events", "wait", "failed", `${MERCHANT_ID}-x:y`, "2088-x"])(
    "GET /v1/dead-letters/%s answers 404",
    async (id) => {
      const res = await request("GET", `/v1/dead-letters/${encodeURIComponent(id)}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toBe("not_found");
      const score = await request("GET", `/v1/scores/${encodeURIComponent(id)}`);
      expect(score.statusCode).toBe(404);
    },
  );

  it.each(["POST", "DELETE"] as const)(
    "%s with such ids answers 400 naming the field, doing nothing",
    async (method) => {
      const url = method === "POST" ? "/v1/dead-letters/redrive" : "/v1/dead-letters";
      const res = await request(method, url, { ids: [`${MERCHANT_ID}-real`, "events", "meta"] });
      expect(res.statusCode).toBe(400);
      expect(res.json().issues.map((issue: { path: string }) => issue.path)).toEqual(["ids[1]", "ids[2]"]);
      expect(await kit.deadQueue.getJob(`${MERCHANT_ID}-real`)).toBeDefined();
      expect(await kit.redis.exists(`${kit.prefix}:score-dead:meta`)).toBe(1);
    },
  );

  it("the store itself skips them (a caller other than the routes cannot reach BullMQ's keys)", async () => {
    expect(await kit.deadLetters.get("meta")).toBeUndefined();
    expect(await kit.deadLetters.get("events")).toBeUndefined();
    expect(await kit.deadLetters.redrive(["events", "meta", "id"])).toEqual([]);
    expect(await kit.deadLetters.purge(["meta", "events", "wait"])).toEqual([]);
    expect(await kit.redis.exists(`${kit.prefix}:score-dead:meta`)).toBe(1);
  });

  it("a purge by reason still removes a letter whose job a broken producer named oddly", async () => {
    const odd = { job_id: "odd-id", reason: "invalid_payload", dead_at: Date.now() };
    await kit.deadQueue.add("invalid_payload", odd as never, { jobId: "odd-id" });
    const res = await request("DELETE", "/v1/dead-letters", { reason: "invalid_payload" });
    expect(res.json().purged).toContain("odd-id");
    expect(await kit.deadQueue.getJob("odd-id")).toBeUndefined();
  });

  it("ids of audit re-scores (`.audit`) are job ids", async () => {
    const res = await request("GET", `/v1/dead-letters/${MERCHANT_ID}-real.audit`);
    expect(res.statusCode).toBe(404);
    const purge = await request("DELETE", "/v1/dead-letters", { ids: [`${MERCHANT_ID}-real.audit`] });
    expect(purge.statusCode).toBe(200);
  });
});

describe("occurred_at must be plausible", () => {
  it.each(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])("%s answers 400 naming the field", async (at) => {
    const single = await request("POST", "/v1/scores", scoreBody("when", { occurred_at: at }));
    expect(single.statusCode).toBe(400);
    expect(single.json().issues).toEqual([
      {
        path: "occurred_at",
        message: expect.stringMatching(/^occurred_at must be within the last 400 days/),
      },
    ]);
    const batch = await request("POST", "/v1/scores/batch", {
      items: [scoreBody("ok"), scoreBody("when", { occurred_at: at })],
    });
    expect(batch.statusCode).toBe(400);
    expect(batch.json().issues.map((issue: { path: string }) => issue.path)).toEqual([
      "items[1].occurred_at",
    ]);
    expect(Object.values(await countJobs(kit.scoreQueue)).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("an hour ago and an hour ahead are fine", async () => {
    for (const offset of [-3_600_000, 3_600_000]) {
      const at = new Date(Date.now() + offset).toISOString();
      const res = await request("POST", "/v1/scores", scoreBody(`t${offset}`, { occurred_at: at }));
      expect(res.statusCode).toBe(202);
    }
  });
});

describe("query and path values", () => {
  it.each(["0x10", "1e3", " ", "-1", "16.5", "10001"])("wait_ms=%s answers 400", async (wait) => {
    const res = await request("POST", `/v1/scores?wait_ms=${encodeURIComponent(wait)}`, scoreBody("w"));
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe("wait_ms");
  });

  it.each(["/v1/scores/", "/v1/dead-letters/"])(
    "an id over 100 characters on %s answers the API's 404",
    async (base) => {
      const id = `${MERCHANT_ID}-${"x".repeat(200)}`;
      const res = await request("GET", `${base}${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({
        error: "not_found",
        message: expect.any(String),
        request_id: expect.any(String),
      });
      expect(res.body).not.toContain(id);
    },
  );
});
