import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { context, propagation, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contextFromCarrier, linkFromCarrier, traceCarrierOf, tracer } from "../src/index";
import { startTracing } from "../src/start-tracing";
import { tracingSettings } from "../src/tracing-settings";

/** Bodies of the `POST /v1/traces` a loopback receiver got. */
const received: { contentType: string; body: string }[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      if (req.url === "/v1/traces") received.push({ contentType: req.headers["content-type"] ?? "", body });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  // The global provider, propagator and context manager go back to the API's no-op ones.
  trace.disable();
  propagation.disable();
  context.disable();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("tracing on (http/json to a loopback receiver)", () => {
  it("carries a span's context as traceparent, links to it, and flushes buffered spans on shutdown", async () => {
    const settings = tracingSettings(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_SERVICE_NAME: "unit",
      },
      "riskq-test",
    );
    const tracing = startTracing({ settings });
    expect(tracing.enabled).toBe(true);

    const { carrier, ids } = tracer.startActiveSpan("send score", (span) => {
      const carried = traceCarrierOf();
      span.end();
      return { carrier: carried, ids: span.spanContext() };
    });
    expect(carrier?.traceparent).toBe(`00-${ids.traceId}-${ids.spanId}-01`);
    // The consumer side: a child of the carried span, and a link to it.
    const child = tracer.startSpan("process score", {}, contextFromCarrier(carrier));
    expect(child.spanContext().traceId).toBe(ids.traceId);
    child.end();
    expect(linkFromCarrier(carrier)?.context).toMatchObject({ traceId: ids.traceId, spanId: ids.spanId });

    // Buffered (the default delay is 5 s): the shutdown is what sends them.
    await tracing.shutdown();
    const body = received.map((r) => r.body).join("\n");
    expect(received.every((r) => r.contentType.startsWith("application/json"))).toBe(true);
    expect(body).toContain(ids.traceId);
    expect(body).toContain('"process score"');
    expect(body).toContain('"unit"');
  });
});
