import type { Logger } from "@riskq/observability";
import type { FastifyInstance } from "fastify";

/**
 * The dashboard's own error answers, in the API's shape (docs/errors.md) with the request id:
 * Fastify's defaults echoed the URL (job ids) on 404 and an error's message on 500. The board's
 * routes answer their own errors; this covers unknown paths and what the cost page throws.
 */
export function installErrorAnswers(app: FastifyInstance, logger: Logger): void {
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: "not_found", message: "no such page", request_id: request.id }),
  );
  app.setErrorHandler((err, request, reply) => {
    const status = (err as { statusCode?: number }).statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return reply
        .code(status)
        .send({ error: "bad_request", message: "the request could not be read", request_id: request.id });
    }
    logger.error({ err, request_id: request.id, route: request.routeOptions.url }, "unexpected error");
    return reply
      .code(500)
      .send({ error: "internal", message: "unexpected error; it was logged", request_id: request.id });
  });
}
