import { requestLogFields } from "@riskq/http";
import type { Logger } from "@riskq/observability";
import type { FastifyInstance } from "fastify";

/**
 * One line per request with the route *pattern* (`/v1/scores/:id`), never the raw URL, headers or
 * body: those carry bearer keys, job ids and card fingerprints, and a log is read by many. The
 * request id (also in the answer's `x-request-id` and error body) finds the line a caller quotes.
 */
export function installRequestLog(app: FastifyInstance, logger: Logger): void {
  app.addHook("onResponse", async (request, reply) => {
    const line = requestLogFields(request, reply);
    const { route } = line;
    if (reply.statusCode >= 500) logger.warn(line, "request failed");
    else if (route === "/healthz" || route === "/readyz") logger.debug(line, "request");
    else logger.info(line, "request");
  });
}
