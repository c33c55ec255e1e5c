import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  installRequestId,
  REQUEST_ID_HEADER,
  requestIdOf,
  requestIdOptions,
  requestLogFields,
} from "../src/index";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("requestIdOf", () => {
  it("keeps a short id of letters, digits and . _ : -", () => {
    for (const id of ["abc", "trace-1.2_3:4", "x".repeat(64), "0af7651916cd43dd8448eb211c80319c"]) {
      expect(requestIdOf(id)).toBe(id);
    }
  });

  it("replaces a missing, long, repeated or unsafe one with a fresh UUID", () => {
    const unsafe = [undefined, "", "x".repeat(65), "a b", "<script>", 'q"}', "line\nbreak", "é", ["a", "b"]];
    for (const header of unsafe) expect(requestIdOf(header), JSON.stringify(header)).toMatch(UUID);
    expect(requestIdOf(undefined)).not.toBe(requestIdOf(undefined));
  });
});

describe("a Fastify app with installRequestId (over real HTTP)", () => {
  const logged: Record<string, unknown>[] = [];
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    app = Fastify({ logger: false, ...requestIdOptions() });
    installRequestId(app);
    // An early refusal from a hook, as the dashboard's login check answers.
    app.addHook("onRequest", async (request, reply) => {
      if (request.url === "/refused") return reply.code(401).send({ error: "unauthorized" });
      return undefined;
    });
    app.addHook("onResponse", async (request, reply) => {
      logged.push(requestLogFields(request, reply));
    });
    app.get("/ok", async (request) => ({ seen: request.id }));
    app.get("/boom", async () => {
      throw new Error("boom");
    });
    base = await app.listen({ host: "127.0.0.1", port: 0 });
  });
  afterAll(() => app.close());

  it("echoes a valid x-request-id on the answer, to the handler and in the log line", async () => {
    const res = await fetch(`${base}/ok`, { headers: { [REQUEST_ID_HEADER]: "caller-42" } });
    expect(res.headers.get(REQUEST_ID_HEADER)).toBe("caller-42");
    expect(await res.json()).toEqual({ seen: "caller-42" });
    expect(logged.at(-1)).toMatchObject({
      request_id: "caller-42",
      method: "GET",
      route: "/ok",
      status: 200,
    });
  });

  it("generates one for an unsafe or missing header, on every kind of answer", async () => {
    for (const path of ["/ok", "/refused", "/no-such-route", "/boom"]) {
      for (const headers of [{}, { [REQUEST_ID_HEADER]: "<bad id>" }] as Record<string, string>[]) {
        const res = await fetch(`${base}${path}`, { headers });
        const id = res.headers.get(REQUEST_ID_HEADER);
        expect(id, `${path} ${JSON.stringify(headers)}`).toMatch(UUID);
        expect(logged.at(-1)?.request_id).toBe(id);
      }
    }
  });
});
