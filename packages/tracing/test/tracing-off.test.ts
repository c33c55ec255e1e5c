import { describe, expect, it } from "vitest";
import { linkFromCarrier, traceCarrierOf, tracer } from "../src/index";
import { startTracing } from "../src/start-tracing";

describe("tracing off", () => {
  it("registers nothing: spans are the API's non-recording ones and carry no context to propagate", async () => {
    const tracing = startTracing({ settings: undefined });
    expect(tracing.enabled).toBe(false);
    tracer.startActiveSpan("probe", (span) => {
      expect(span.isRecording()).toBe(false);
      // Nothing is written into job data when there is nothing to carry.
      expect(traceCarrierOf()).toBeUndefined();
      span.end();
    });
    await tracing.shutdown();
  });

  it("links nothing: a job carrying a context from a traced API adds no link in an untraced worker", () => {
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    expect(linkFromCarrier({ traceparent }, { "messaging.message.id": "m-1" })).toBeUndefined();
    expect(linkFromCarrier(undefined)).toBeUndefined();
  });
});
