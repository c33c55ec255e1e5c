/**
 * The API side of riskq's tracing (OpenTelemetry): the tracer, and how a span's context travels
 * through Redis with a job. Safe for any package: it loads no SDK, and does nothing until an app
 * starts tracing through "@riskq/tracing/sdk" (README: Tracing).
 */
export {
  type Context,
  context,
  type Link,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
export * from "./span-outcome";
export * from "./trace-carrier";
export * from "./tracer";
