import type { Logger } from "@riskq/observability";
import type { FastifyInstance } from "fastify";

/**
 * One line per request with the route *pattern* (`/v1/scores/:id`), never the raw URL, headers or
 * body: those carry bearer keys, job ids and card fingerprints, and a log is read by many.
 */
export function installRequestLog(app: FastifyInstance, logger: Logger): void {
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "(no route)";
    const line = {
      method: request.method,
      route,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (reply.statusCode >= 500) logger.warn(line, "request failed");
    else if (route === "/healthz" || route === "/readyz") logger.debug(line, "request");
    else logger.info(line, "request");
  });
}
