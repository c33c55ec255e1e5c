import { requestLogFields } from "@riskq/http";
import type { Logger } from "@riskq/observability";
import type { FastifyInstance } from "fastify";

/**
 * One line per request with the route pattern, never the URL or headers (job ids, credentials).
 * The board polls every few seconds, so reads log at debug; changes and refusals are worth a line.
 */
export function installRequestLog(app: FastifyInstance, logger: Logger): void {
  app.addHook("onResponse", async (request, reply) => {
    const line = requestLogFields(request, reply);
    if (reply.statusCode >= 500) logger.warn(line, "request failed");
    else if (reply.statusCode === 401) logger.info(line, "credentials required");
    else if (reply.statusCode === 403) logger.warn(line, "request refused");
    else if (request.method !== "GET" && request.method !== "HEAD") logger.info(line, "board action");
    else logger.debug(line, "request");
  });
}
