import { context, contextFromHeaders, markFailed, type Span, SpanKind, trace, tracer } from "@riskq/tracing";
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from "fastify";

/** The routes a scoring trace starts at (README: Tracing); the rest of the API is not traced. */
const TRACED_ROUTES = new Set(["POST /v1/scores", "POST /v1/scores/batch"]);

/**
 * A SERVER span per scoring request, from the moment it arrives (before the bearer check) until the
 * answer is sent, with the route's handler run inside it so the enqueue's span is its child. Manual
 * hooks rather than auto-instrumentation: require hooks do not reach ESM under tsx or a bundle.
 * A caller's own `traceparent` is continued. Only the method, route and status are recorded: never
 * the URL's query, headers or body (bearer keys, card fingerprints).
 *
 * Must be installed before the routes are registered (it wraps their handlers as they are added).
 */
export function installRequestSpans(app: FastifyInstance): void {
  const spans = new WeakMap<FastifyRequest, Span>();

  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.some((method) => TRACED_ROUTES.has(`${method} ${route.url}`))) return;
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function tracedHandler(request, reply) {
      const span = spans.get(request);
      if (!span) return handler.call(this, request, reply);
      return context.with(trace.setSpan(context.active(), span), () => handler.call(this, request, reply));
    };
  });

  app.addHook("onRequest", async (request) => {
    const route = request.routeOptions.url;
    if (route === undefined || !TRACED_ROUTES.has(`${request.method} ${route}`)) return;
    const parent = contextFromHeaders(request.headers);
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "http.request.method": request.method,
          "http.route": route,
          "url.path": route,
          "url.scheme": request.protocol,
          "riskq.request_id": request.id,
        },
      },
      parent,
    );
    spans.set(request, span);
  });

  const end = (request: FastifyRequest, status: number | undefined) => {
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    if (status === undefined) markFailed(span, { code: "client_aborted" });
    else {
      span.setAttribute("http.response.status_code", status);
      // Only the server's own failures are errors of a server span (the semantic conventions' rule).
      if (status >= 500) markFailed(span, { code: String(status) });
    }
    span.end();
  };
  app.addHook("onResponse", async (request, reply) => end(request, reply.statusCode));
  app.addHook("onRequestAbort", async (request) => end(request, undefined));
}
