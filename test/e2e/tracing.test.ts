/**
 * Tracing with the real processes (README: Tracing): the API and a worker export their spans over
 * OTLP/HTTP to a receiver in this test — the API as http/protobuf, the worker as http/json, and the
 * worker only when it shuts down (its batch delay is far longer than the test), so the SIGTERM flush
 * is what delivers them. Each scoring request must make one trace: the API's server span, the enqueue
 * (producer), the worker's job span (consumer) and the Alipay call (client), the call reached by
 * parentage or by a span link; and no span may carry a secret or a card fingerprint.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OtlpReceiver, startOtlpReceiver } from "./support/otlp-receiver";
import { OTLP_KIND, type ReceivedSpan } from "./support/otlp-spans";
import { scoreRequests, testMerchants } from "./support/score-traffic";
import { SecretHarvest } from "./support/secret-scan";
import { type Stack, startStack } from "./support/stack";

const SEED = 211;
/** Requests sent one by one (each its own trace), then two more in one `POST /v1/scores/batch`. */
const SINGLES = 3;
const BATCHED = 2;

/** Polls until `check` returns a value (a hang guard, not a timing assertion). */
async function eventually<T>(what: string, check: () => T | undefined, limitMs = 30_000): Promise<T> {
  const giveUpAt = Date.now() + limitMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("traces of scoring requests across the API and a worker", () => {
  let receiver: OtlpReceiver;
  let stack: Stack;
  let harvest: SecretHarvest;
  const callbackSecret = `callback-secret-${randomBytes(16).toString("hex")}`;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const common = { RISKQ_PREFILTER: "off", RISKQ_CALLBACK_SECRET: callbackSecret };
    stack = await startStack({
      workers: 1,
      sandbox: { seed: SEED },
      apiEnv: {
        ...common,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        OTEL_BSP_SCHEDULE_DELAY: "100",
      },
      workerEnv: {
        ...common,
        OTEL_TRACES_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
        // Nothing leaves the worker before its shutdown: the flush on SIGTERM must send it all.
        OTEL_BSP_SCHEDULE_DELAY: "600000",
        // Give concurrent requests a chance to share a call (the links are checked either way).
        BATCH_LINGER_MS: "200",
      },
    });
    harvest = new SecretHarvest(stack.testRedis.redis, stack.prefix, stack.secretKey)
      .add(stack.apiKey, "API key")
      .add(callbackSecret, "callback secret")
      .addPrivateKeyPem(stack.sandbox.appPrivateKey, "app private key")
      .start();
  }, 90_000);
  afterAll(async () => {
    await harvest?.stop();
    await stack?.stop();
    await receiver?.close();
  }, 60_000);

  it("joins server, enqueue, job and Alipay call spans in one trace per request, with no secret", async () => {
    const merchants = testMerchants(SEED, 1);
    await stack.onboardMerchants(merchants.map((m) => m.merchant_id));
    const requests = scoreRequests({ seed: SEED, merchants, count: SINGLES + BATCHED, task: "card_risk" });
    harvest.addCardFingerprints(requests.map((r) => r.card_fingerprint));
    expect(requests.every((r) => typeof r.card_fingerprint === "string")).toBe(true);

    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${stack.api.url}${path}?wait_ms=10000`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${stack.apiKey}` },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const [batch, ...singles] = await Promise.all([
      post("/v1/scores/batch", { items: requests.slice(SINGLES) }),
      ...requests.slice(0, SINGLES).map((request) => post("/v1/scores", request)),
    ]);
    const answered = [
      ...singles.map((a) => a.body),
      ...((batch!.body.jobs ?? []) as Record<string, unknown>[]),
    ];
    expect(batch!.status).toBe(200);
    for (const answer of singles) expect(answer.status).toBe(200);
    expect(answered).toHaveLength(SINGLES + BATCHED);
    for (const job of answered) expect(job.status).toBe("completed");
    const jobIds = answered.map((job) => String(job.id));
    /** The route each job was submitted through. */
    const routeOf = (jobId: string) => (jobIds.indexOf(jobId) < SINGLES ? "/v1/scores" : "/v1/scores/batch");

    // The worker's spans arrive only through its shutdown flush.
    expect(receiver.spans().some((s) => s.service === "riskq-worker")).toBe(false);
    await stack.workers[0]!.stop(10_000);
    const spans = await eventually("the spans of every job", () => {
      const all = receiver.spans();
      const done = jobIds.every((id) =>
        all.some((s) => s.service === "riskq-worker" && s.attributes["messaging.message.id"] === id),
      );
      const served = all.filter((s) => s.service === "riskq-api" && s.kind === OTLP_KIND.server);
      return done && served.length >= SINGLES + 1 ? all : undefined;
    });

    // Both encodings arrived: the API's as protobuf, the worker's as JSON.
    const typesOf = (service: string) =>
      new Set(
        receiver.exports.filter((e) => e.spans.some((s) => s.service === service)).map((e) => e.contentType),
      );
    expect([...typesOf("riskq-api")]).toEqual(["application/x-protobuf"]);
    expect([...typesOf("riskq-worker")]).toEqual(["application/json"]);

    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (span: ReceivedSpan) => byId.get(span.parentSpanId);
    const calls = spans.filter(
      (s) => s.kind === OTLP_KIND.client && s.attributes["riskq.alipay.operation"] === "batch predict",
    );
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      const path = String(call.attributes["url.path"]);
      expect(path.startsWith("/v3/alipay/")).toBe(true);
      expect(call.name).toBe(`POST ${path}`);
      expect(call.service).toBe("riskq-worker");
      expect(call.attributes).toMatchObject({
        "http.request.method": "POST",
        "http.response.status_code": 200,
      });
      // One link per job in the call, the parent (the first job's span) among them.
      expect(call.links.length).toBe(call.attributes["riskq.alipay.items"]);
      expect(call.links.map((l) => l.spanId)).toContain(call.parentSpanId);
    }

    for (const jobId of jobIds) {
      const job = spans.find(
        (s) => s.kind === OTLP_KIND.consumer && s.attributes["messaging.message.id"] === jobId,
      );
      expect(job, jobId).toBeDefined();
      expect(job!).toMatchObject({ service: "riskq-worker", name: "process score" });
      expect(job!.attributes["riskq.job.source"]).toBe("remote");

      const route = routeOf(jobId);
      const enqueue = parentOf(job!);
      expect(enqueue, `the enqueue of ${jobId}`).toMatchObject({
        service: "riskq-api",
        kind: OTLP_KIND.producer,
        name: "send score",
        traceId: job!.traceId,
        attributes: {
          "messaging.destination.name": "score",
          // One enqueue span for a batch request's items, naming the job when it is alone.
          "messaging.batch.message_count": route === "/v1/scores" ? 1 : BATCHED,
          ...(route === "/v1/scores" ? { "messaging.message.id": jobId } : {}),
        },
      });
      const server = parentOf(enqueue!);
      expect(server, `the request of ${jobId}`).toMatchObject({
        service: "riskq-api",
        kind: OTLP_KIND.server,
        name: `POST ${route}`,
        traceId: job!.traceId,
        parentSpanId: "",
        attributes: { "http.route": route, "http.response.status_code": 200 },
      });

      // The job's call: a child of its span, or linked to it from another job's trace.
      const call = calls.find(
        (c) =>
          (c.traceId === job!.traceId && c.parentSpanId === job!.spanId) ||
          c.links.some((l) => l.traceId === job!.traceId && l.spanId === job!.spanId),
      );
      expect(call, `the Alipay call of ${jobId}`).toBeDefined();
    }
    // Every request is its own trace.
    const servers = spans.filter((s) => s.kind === OTLP_KIND.server);
    expect(servers).toHaveLength(SINGLES + 1);
    expect(new Set(servers.map((s) => s.traceId)).size).toBe(SINGLES + 1);

    await harvest.stop();
    expect(harvest.kinds()).toMatchObject({ "API key": 1, "callback secret": 1, "merchant access token": 1 });
    const exported = receiver.exports.map((e, i) => ({
      name: `export ${i} (${e.contentType})`,
      text: e.body.toString("utf8"),
    }));
    expect(harvest.leaksIn(exported)).toEqual([]);
    // The scan would see a leak: a fingerprint of these requests in an export is caught.
    expect(harvest.leaksIn([{ name: "probe", text: `x ${requests[0]!.card_fingerprint} x` }])).toHaveLength(
      1,
    );
  }, 120_000);
});
