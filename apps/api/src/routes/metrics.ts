import type { Registry } from "@riskq/metrics";
import type { FastifyPluginAsync } from "fastify";

/**
 * `GET /metrics`: the Prometheus text exposition, without authentication (like /healthz: scrapers
 * carry no bearer key). Its labels are queue names, job states, dead-letter reasons, Alipay
 * operations, statuses and codes: never a token, key, card or payload. Keep the port off the
 * internet, as the rest of the API's.
 */
export function metricsRoutes(registry: Pick<Registry, "metrics" | "contentType">): FastifyPluginAsync {
  return async (app) => {
    app.get("/metrics", async (_request, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    });
  };
}
