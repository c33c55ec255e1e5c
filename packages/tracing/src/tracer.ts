import { trace } from "@opentelemetry/api";

/**
 * riskq's one tracer. Taken from the global provider lazily by the API's proxy: created at import,
 * it still records once main.ts has started tracing, and is the no-op tracer when tracing is off.
 */
export const tracer = trace.getTracer("riskq");
