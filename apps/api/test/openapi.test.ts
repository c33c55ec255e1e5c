/**
 * GET /openapi.json and /docs: the document is valid OpenAPI 3.1, its examples fit its schemas, and
 * the real API's answers (success and error, every route) are what it documents, checked by an
 * independent validator (ajv) rather than the zod schemas the document is built from.
 */
import { createHash } from "node:crypto";
import { validate } from "@readme/openapi-parser";
import { AuthCodeOfAnotherMerchant, InvalidRequest, UpstreamError } from "@riskq/alipay";
import { type ApiKeyIdentity, listedKeys } from "@riskq/config";
import type { LightMyRequestResponse } from "fastify";
import type { OpenAPIV3_1 } from "openapi-types";
import { beforeAll, describe, expect, it } from "vitest";
import type { MerchantOnboarding } from "../src/routes/merchants";
import {
  API_KEY,
  AUTH,
  eventually,
  MERCHANT_ID,
  type ScoreJob,
  scoreBody,
  scoredResult,
  startApi,
  startKillingWorker,
  startTestWorker,
  useApiWithWorkers,
} from "./support/api-harness";
import { documentedAnswers, type OpenApiDocument } from "./support/documented-answers";
import { startPrivateRedis } from "./support/private-redis";

const OTHER_MERCHANT = "2088000000000002";
const PRODUCER_KEY = "producer-key-0123456789abcdef0123456789";
const LIMITED_OPERATOR_KEY = "ops-m1-key-0123456789abcdef0123456789ab";
const identity = (name: string, secret: string, role: "producer" | "operator"): ApiKeyIdentity => ({
  name,
  role,
  merchants: [MERCHANT_ID],
  secretSha256: createHash("sha256").update(secret).digest("hex"),
});
const PRODUCER = { authorization: `Bearer ${PRODUCER_KEY}` };
const LIMITED_OPERATOR = { authorization: `Bearer ${LIMITED_OPERATOR_KEY}` };

// Alipay's side of onboarding, by auth code: the API's answers to each of its outcomes.
const alipay: MerchantOnboarding = {
  onboardMerchant: async (merchantId, authCode) => {
    if (authCode === "used-code")
      throw new InvalidRequest("the auth code is invalid or already used", "auth_code");
    if (authCode === "other-merchants-code") throw new AuthCodeOfAnotherMerchant(merchantId);
    if (authCode === "upstream-down") throw new UpstreamError("Alipay answered 502");
    return { expiresAt: Date.parse("2027-01-01T00:00:00Z") };
  },
};

const ctx = useApiWithWorkers({
  metrics: true,
  alipay,
  apiKeys: [
    ...listedKeys([API_KEY]),
    identity("checkout", PRODUCER_KEY, "producer"),
    identity("ops-m1", LIMITED_OPERATOR_KEY, "operator"),
  ],
});

let document: OpenApiDocument;
let answers: ReturnType<typeof documentedAnswers>;

// The document as the running API serves it, read once (the first test's API is as good as any).
beforeAll(async () => {
  const kit = await startApi({ prefix: "{openapi-document}" });
  try {
    const served = await kit.app.inject({ method: "GET", url: "/openapi.json" });
    expect(served.statusCode).toBe(200);
    document = served.json();
  } finally {
    await kit.close();
  }
  answers = documentedAnswers(document);
});

interface Call {
  method: "GET" | "POST" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  payload?: unknown;
}

/** Sends `call` to the test's API and checks the answer against the document's `path` (a template). */
async function call(
  path: string,
  { method, url, headers = AUTH, payload }: Call,
): Promise<LightMyRequestResponse> {
  const answer = await ctx.kit.app.inject({
    method,
    url,
    headers,
    ...(payload === undefined
      ? {}
      : typeof payload === "string"
        ? { payload }
        : { payload: payload as object }),
  });
  answers.check(method, path, answer);
  return answer;
}

const jobId = (itemId: string) => `${MERCHANT_ID}-${itemId}`;
const completeJobs = () => {
  ctx.worker = startTestWorker(ctx.kit, async (job: ScoreJob) => scoredResult(job.data.request));
};

describe("the document", () => {
  it("is a valid OpenAPI 3.1 document (by @readme/openapi-parser)", async () => {
    expect(document).toMatchObject({ openapi: expect.stringMatching(/^3\.1\./) });
    const result = await validate(structuredClone(document) as unknown as OpenAPIV3_1.Document);
    expect(result).toMatchObject({ valid: true });
  });

  it("has examples that fit its own schemas", () => {
    expect(answers.exampleErrors()).toEqual([]);
  });

  it("asks for the bearer key everywhere but on the probes, metrics and itself", () => {
    expect(document).toMatchObject({
      security: [{ bearer: [] }],
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    });
    const open = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.values(operations).some((op) => (op as { security?: unknown[] }).security?.length === 0)
        ? [path]
        : [],
    );
    expect(open.sort()).toEqual([
      "/docs",
      "/docs/{file}",
      "/healthz",
      "/metrics",
      "/openapi.json",
      "/readyz",
    ]);
  });
});

describe("scores: live answers are the documented ones", () => {
  it("POST /v1/scores: 202 queued, 202 duplicate, then 200 once final with wait_ms; GET 200", async () => {
    const first = await call("/v1/scores", { method: "POST", url: "/v1/scores", payload: scoreBody("o-1") });
    expect(first.statusCode).toBe(202);
    const again = await call("/v1/scores", { method: "POST", url: "/v1/scores", payload: scoreBody("o-1") });
    expect(again.json()).toMatchObject({ status: "queued", duplicate: true });
    expect(
      (await call("/v1/scores/{id}", { method: "GET", url: `/v1/scores/${jobId("o-1")}` })).statusCode,
    ).toBe(200);

    completeJobs();
    const waited = await call("/v1/scores", {
      method: "POST",
      url: "/v1/scores?wait_ms=10000",
      payload: scoreBody("o-2"),
    });
    expect(waited.statusCode).toBe(200);
    expect(waited.json()).toMatchObject({ status: "completed", result: { risk_level: "low" } });
    const read = await call("/v1/scores/{id}", { method: "GET", url: `/v1/scores/${jobId("o-2")}` });
    expect(read.json()).toMatchObject({ status: "completed" });
  });

  it("POST /v1/scores/batch: 202 queued, then 200 once all are final with wait_ms", async () => {
    const queued = await call("/v1/scores/batch", {
      method: "POST",
      url: "/v1/scores/batch",
      payload: { items: [scoreBody("b-1"), scoreBody("b-2")] },
    });
    expect(queued.statusCode).toBe(202);
    completeJobs();
    const waited = await call("/v1/scores/batch", {
      method: "POST",
      url: "/v1/scores/batch?wait_ms=10000",
      payload: { items: [scoreBody("b-3"), scoreBody("b-1")] },
    });
    expect(waited.statusCode).toBe(200);
  });

  for (const path of ["/v1/scores", "/v1/scores/batch"]) {
    const body = (item: Record<string, unknown>) =>
      path === "/v1/scores" ? item : { items: [scoreBody("ok"), item] };
    const cases: Array<[string, number, Partial<Call>]> = [
      ["a field error", 400, { payload: body(scoreBody("x", { amount: "12.5" })) }],
      ["a bad wait_ms", 400, { url: `${path}?wait_ms=0x10`, payload: body(scoreBody("x")) }],
      ["a card number", 400, { payload: body(scoreBody("4111111111111111")) }],
      ["broken JSON", 400, { payload: "{", headers: { ...AUTH, "content-type": "application/json" } }],
      ["no key", 401, { headers: {}, payload: body(scoreBody("x")) }],
      [
        "another merchant",
        403,
        { headers: PRODUCER, payload: body(scoreBody("x", { merchant_id: OTHER_MERCHANT })) },
      ],
      [
        "over 1 MiB",
        413,
        {
          payload: JSON.stringify({ pad: "x".repeat(1_100_000) }),
          headers: { ...AUTH, "content-type": "application/json" },
        },
      ],
      ["plain text", 415, { payload: "hello", headers: { ...AUTH, "content-type": "application/xml" } }],
    ];
    for (const [what, status, overrides] of cases) {
      it(`${path}: ${what} answers ${status}`, async () => {
        const answer = await call(path, { method: "POST", url: path, ...overrides });
        expect(answer.statusCode).toBe(status);
      });
    }

    it(`${path}: a full backlog and too many waiters answer 429 with Retry-After`, async () => {
      await ctx.restart({ maxBacklog: 1, maxWaitingJobs: 1 });
      const waiters = await call(path, {
        method: "POST",
        url: `${path}?wait_ms=1000`,
        payload: path === "/v1/scores" ? scoreBody("w-1") : { items: [scoreBody("w-1"), scoreBody("w-2")] },
      });
      if (path === "/v1/scores/batch") expect(waiters.json()).toMatchObject({ error: "too_many_waiters" });
      for (const id of ["s-1", "s-2"]) {
        const request = scoreBody(id) as never;
        await ctx.kit.scoreQueue.add("transaction_anomaly", { request, enqueued_at: 0, deadline_at: 0 });
      }
      const full = await call(path, { method: "POST", url: path, payload: body(scoreBody("over")) });
      expect(full.statusCode).toBe(429);
      expect(full.json()).toMatchObject({ error: "backlog_full" });
    });
  }

  it("GET /v1/scores/{id}: 404 unknown or another merchant's, 400 undecodable, 401 without a key", async () => {
    const expectStatus = async (url: string, status: number, headers: Record<string, string> = AUTH) =>
      expect((await call("/v1/scores/{id}", { method: "GET", url, headers })).statusCode).toBe(status);
    await expectStatus(`/v1/scores/${jobId("nope")}`, 404);
    await expectStatus(`/v1/scores/${OTHER_MERCHANT}-x`, 404, PRODUCER);
    await expectStatus("/v1/scores/%zz", 400);
    await expectStatus(`/v1/scores/${jobId("x")}`, 401, {});
  });
});

describe("dead letters: live answers are the documented ones", () => {
  it("list, read, redrive and purge a dead letter: 200s", async () => {
    ctx.worker = startKillingWorker(ctx.kit, () => "auth_revoked");
    await ctx.post("/v1/scores", scoreBody("d-1", { card_fingerprint: "a".repeat(64) }));
    await eventually(() => ctx.kit.deadLetters.get(jobId("d-1")));
    const page = await call("/v1/dead-letters", {
      method: "GET",
      url: "/v1/dead-letters?reason=auth_revoked",
    });
    expect(page.json()).toMatchObject({ total: 1, items: [{ job_id: jobId("d-1") }] });
    const letter = await call("/v1/dead-letters/{id}", {
      method: "GET",
      url: `/v1/dead-letters/${jobId("d-1")}`,
    });
    expect(letter.statusCode).toBe(200);
    // A dead job as its enqueue and its read show it, dead letter included.
    const dead = await call("/v1/scores", { method: "POST", url: "/v1/scores", payload: scoreBody("d-1") });
    expect(dead.json()).toMatchObject({
      status: "dead",
      duplicate: true,
      dead_letter: { reason: "auth_revoked" },
    });
    await call("/v1/scores/{id}", { method: "GET", url: `/v1/scores/${jobId("d-1")}` });

    await ctx.worker.close();
    ctx.worker = undefined;
    const redriven = await call("/v1/dead-letters/redrive", {
      method: "POST",
      url: "/v1/dead-letters/redrive",
      payload: { ids: [jobId("d-1")] },
    });
    expect(redriven.json()).toEqual({ redriven: [jobId("d-1")], count: 1 });
    const purged = await call("/v1/dead-letters", {
      method: "DELETE",
      url: "/v1/dead-letters",
      payload: { reason: "auth_revoked" },
    });
    expect(purged.statusCode).toBe(200);
  });

  const cases: Array<[string, Call, number]> = [
    ["/v1/dead-letters", { method: "GET", url: "/v1/dead-letters?limit=0" }, 400],
    ["/v1/dead-letters", { method: "GET", url: "/v1/dead-letters", headers: {} }, 401],
    ["/v1/dead-letters", { method: "GET", url: "/v1/dead-letters", headers: PRODUCER }, 403],
    ["/v1/dead-letters/{id}", { method: "GET", url: `/v1/dead-letters/${jobId("nope")}` }, 404],
    ["/v1/dead-letters/{id}", { method: "GET", url: "/v1/dead-letters/%zz" }, 400],
    ["/v1/dead-letters/{id}", { method: "GET", url: `/v1/dead-letters/${jobId("x")}`, headers: {} }, 401],
    [
      "/v1/dead-letters/{id}",
      { method: "GET", url: `/v1/dead-letters/${jobId("x")}`, headers: PRODUCER },
      403,
    ],
    ["/v1/dead-letters/redrive", { method: "POST", url: "/v1/dead-letters/redrive", payload: {} }, 400],
    [
      "/v1/dead-letters/redrive",
      {
        method: "POST",
        url: "/v1/dead-letters/redrive",
        payload: "[",
        headers: { ...AUTH, "content-type": "application/json" },
      },
      400,
    ],
    [
      "/v1/dead-letters/redrive",
      { method: "POST", url: "/v1/dead-letters/redrive", payload: { reason: "expired" }, headers: {} },
      401,
    ],
    [
      "/v1/dead-letters/redrive",
      { method: "POST", url: "/v1/dead-letters/redrive", payload: { reason: "expired" }, headers: PRODUCER },
      403,
    ],
    [
      "/v1/dead-letters/redrive",
      {
        method: "POST",
        url: "/v1/dead-letters/redrive",
        payload: "x",
        headers: { ...AUTH, "content-type": "application/xml" },
      },
      415,
    ],
    [
      "/v1/dead-letters/redrive",
      {
        method: "POST",
        url: "/v1/dead-letters/redrive",
        payload: JSON.stringify({ ids: ["x".repeat(1_100_000)] }),
        headers: { ...AUTH, "content-type": "application/json" },
      },
      413,
    ],
    ["/v1/dead-letters", { method: "DELETE", url: "/v1/dead-letters", payload: { ids: ["nope"] } }, 400],
    [
      "/v1/dead-letters",
      { method: "DELETE", url: "/v1/dead-letters", payload: { reason: "expired" }, headers: {} },
      401,
    ],
    [
      "/v1/dead-letters",
      { method: "DELETE", url: "/v1/dead-letters", payload: { reason: "expired" }, headers: PRODUCER },
      403,
    ],
    [
      "/v1/dead-letters",
      {
        method: "DELETE",
        url: "/v1/dead-letters",
        payload: "x",
        headers: { ...AUTH, "content-type": "application/xml" },
      },
      415,
    ],
    [
      "/v1/dead-letters",
      {
        method: "DELETE",
        url: "/v1/dead-letters",
        payload: JSON.stringify({ ids: ["x".repeat(1_100_000)] }),
        headers: { ...AUTH, "content-type": "application/json" },
      },
      413,
    ],
  ];
  for (const [path, request, status] of cases) {
    it(`${request.method} ${request.url.slice(0, 40)} (${Object.keys(request.headers ?? AUTH).length === 0 ? "no key" : request.headers === PRODUCER ? "producer key" : "operator key"}) answers ${status}`, async () => {
      expect((await call(path, request)).statusCode).toBe(status);
    });
  }
});

describe("merchants: live answers are the documented ones", () => {
  const onboard = (authCode: string, headers: Record<string, string> = AUTH, merchantId = MERCHANT_ID) =>
    call("/v1/merchants", {
      method: "POST",
      url: "/v1/merchants",
      headers,
      payload: { merchant_id: merchantId, auth_code: authCode },
    });

  it("201 onboarded; 400 for unusable codes and fields; 401; 403; 502 when Alipay fails", async () => {
    expect((await onboard("fresh-code")).statusCode).toBe(201);
    expect((await onboard("used-code")).json()).toMatchObject({ error: "invalid_auth_code" });
    expect((await onboard("other-merchants-code")).json()).toMatchObject({
      error: "auth_code_of_another_merchant",
    });
    expect((await onboard("")).json()).toMatchObject({ error: "invalid_request" });
    expect((await onboard("4111111111111111")).json()).toMatchObject({ error: "pan_not_allowed" });
    expect((await onboard("fresh-code", {})).statusCode).toBe(401);
    expect((await onboard("fresh-code", PRODUCER)).json()).toMatchObject({
      error: "forbidden",
      required_role: "operator",
    });
    expect((await onboard("fresh-code", LIMITED_OPERATOR, OTHER_MERCHANT)).json()).toMatchObject({
      error: "forbidden",
      field: "merchant_id",
    });
    expect((await onboard("upstream-down")).statusCode).toBe(502);
    const text = { ...AUTH, "content-type": "application/xml" };
    expect(
      (await call("/v1/merchants", { method: "POST", url: "/v1/merchants", headers: text, payload: "x" }))
        .statusCode,
    ).toBe(415);
    const big = JSON.stringify({ merchant_id: MERCHANT_ID, auth_code: "x".repeat(1_100_000) });
    const json = { ...AUTH, "content-type": "application/json" };
    expect(
      (await call("/v1/merchants", { method: "POST", url: "/v1/merchants", headers: json, payload: big }))
        .statusCode,
    ).toBe(413);
  });
});

describe("unauthenticated routes: live answers are the documented ones", () => {
  it("/healthz, /readyz, /metrics and /openapi.json answer 200", async () => {
    for (const path of ["/healthz", "/readyz", "/metrics", "/openapi.json"]) {
      expect((await call(path, { method: "GET", url: path, headers: {} })).statusCode, path).toBe(200);
    }
  });

  it("/docs answers HTML whose scripts, styles and icons are all local, and each of them answers", async () => {
    const page = await call("/docs", { method: "GET", url: "/docs", headers: {} });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    const references = [...page.body.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
    expect(references.length).toBeGreaterThanOrEqual(3);
    for (const reference of references) {
      // Resolved as a browser would from the page's URL: it must stay on the API's own host.
      const resolved = new URL(reference, "http://riskq-api.test/docs");
      expect(resolved.origin, reference).toBe("http://riskq-api.test");
      expect(resolved.pathname, reference).toMatch(/^\/docs\/[\w.-]+$/);
      const asset = await call("/docs/{file}", { method: "GET", url: resolved.pathname, headers: {} });
      expect(asset.statusCode, reference).toBe(200);
      expect(asset.rawPayload.length, reference).toBeGreaterThan(0);
    }
    // The start-up script points Swagger UI at this API's own document, and at no validator elsewhere.
    const init = await ctx.kit.app.inject({ method: "GET", url: "/docs/init.js" });
    expect(init.body).toContain('url: "openapi.json"');
    expect(init.body).toContain("validatorUrl: null");
  });

  it("/docs/{file}: 404 for any other name, 400 for an undecodable one", async () => {
    for (const [url, status] of [
      ["/docs/package.json", 404],
      ["/docs/..%2Fpackage.json", 404],
      ["/docs/%zz", 400],
    ] as const) {
      expect((await call("/docs/{file}", { method: "GET", url, headers: {} })).statusCode, url).toBe(status);
    }
  });
});

describe("Redis down: live answers are the documented ones", () => {
  it("/readyz and the /v1 routes answer 503 with Retry-After", async () => {
    const redis = await startPrivateRedis();
    const kit = await startApi({
      redisUrl: redis.url,
      prefix: "{openapi-down}",
      metrics: true,
      // Onboarding stores the merchant's tokens in Redis, as the Alipay client does.
      alipayOn: (api) => ({
        onboardMerchant: async (merchantId) => {
          await api.set(`{openapi-down}:merchant:${merchantId}`, "tokens");
          return { expiresAt: Date.now() + 3_600_000 };
        },
      }),
    });
    // Hung rather than killed (SIGSTOP): the connections stay open, so the kit closes cleanly after.
    redis.pause();
    try {
      const down: Array<[string, Call]> = [
        ["/readyz", { method: "GET", url: "/readyz", headers: {} }],
        ["/v1/scores", { method: "POST", url: "/v1/scores", payload: scoreBody("r-1") }],
        [
          "/v1/scores/batch",
          { method: "POST", url: "/v1/scores/batch", payload: { items: [scoreBody("r-1")] } },
        ],
        ["/v1/scores/{id}", { method: "GET", url: `/v1/scores/${jobId("r-1")}` }],
        ["/v1/dead-letters", { method: "GET", url: "/v1/dead-letters" }],
        ["/v1/dead-letters/{id}", { method: "GET", url: `/v1/dead-letters/${jobId("r-1")}` }],
        [
          "/v1/dead-letters/redrive",
          { method: "POST", url: "/v1/dead-letters/redrive", payload: { reason: "expired" } },
        ],
        ["/v1/dead-letters", { method: "DELETE", url: "/v1/dead-letters", payload: { reason: "expired" } }],
        [
          "/v1/merchants",
          {
            method: "POST",
            url: "/v1/merchants",
            payload: { merchant_id: MERCHANT_ID, auth_code: "fresh-code" },
          },
        ],
      ];
      // At once: each waits out the API's Redis command timeout.
      const answered = await Promise.all(
        down.map(([, { method, url, headers = AUTH, payload }]) =>
          kit.app.inject({ method, url, headers, ...(payload ? { payload: payload as object } : {}) }),
        ),
      );
      answered.forEach((answer, i) => {
        const [path, { method, url }] = down[i]!;
        answers.check(method, path, answer);
        expect(answer.statusCode, `${method} ${url}`).toBe(503);
      });
      // The metrics say Redis is down rather than fail.
      const metrics = await kit.app.inject({ method: "GET", url: "/metrics" });
      answers.check("GET", "/metrics", metrics);
      expect(metrics.statusCode).toBe(200);
    } finally {
      redis.resume();
      await kit.close();
      await redis.kill();
    }
  });
});

// Last, over what the tests above saw (vitest runs a file's tests in order): a documented status no
// test produced is either dead documentation or an untested answer.
it("every documented status of every route was produced by a test above (500, a bug's answer, aside)", () => {
  const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).flatMap(([method, op]) =>
      Object.keys(op.responses).map((status) => `${method.toUpperCase()} ${path} ${status}`),
    ),
  );
  const unseen = documented.filter((key) => !answers.seen.has(key) && !key.endsWith(" 500"));
  expect(unseen).toEqual([]);
});
