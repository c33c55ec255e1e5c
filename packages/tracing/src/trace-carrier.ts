import { type Context, context, type Link, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";

/**
 * A span's context as it travels outside the process — in a job's data through Redis, or with an
 * item handed to another worker's batch: the W3C `traceparent` (and `tracestate`) header values.
 */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/** The carrier of `ctx`'s span (default the active one); undefined when tracing is off or no span is. */
export function traceCarrierOf(ctx: Context = context.active()): TraceCarrier | undefined {
  const headers: Record<string, string> = {};
  propagation.inject(ctx, headers);
  if (!headers.traceparent) return undefined;
  return headers.tracestate
    ? { traceparent: headers.traceparent, tracestate: headers.tracestate }
    : { traceparent: headers.traceparent };
}

/**
 * A context whose parent is the carried span; the root context for none. Never the active one: a job
 * belongs to the trace of the request that enqueued it, not to whatever this process was doing.
 */
export function contextFromCarrier(carrier: TraceCarrier | undefined): Context {
  if (!carrier) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { ...carrier });
}

/** A span link to the carried span (one per job of a batch call); undefined for none. */
export function linkFromCarrier(
  carrier: TraceCarrier | undefined,
  attributes?: Link["attributes"],
): Link | undefined {
  const spanContext = carrier && trace.getSpanContext(contextFromCarrier(carrier));
  if (!spanContext) return undefined;
  return attributes ? { context: spanContext, attributes } : { context: spanContext };
}

/** The context an incoming HTTP request's own `traceparent` header names; the root context for none. */
export function contextFromHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}
