import type { FastifyPluginAsync } from "fastify";
import type { Redis } from "ioredis";

/**
 * `GET /healthz` (the process answers) and `GET /readyz` (and can reach Redis; 503 otherwise),
 * both without authentication, for orchestrators.
 */
export function healthRoutes(redis: Redis): FastifyPluginAsync {
  return async (app) => {
    app.get("/healthz", async () => ({ status: "ok" }));
    app.get("/readyz", async () => {
      // Fails within the client's timeouts when Redis is down; the error handler answers 503.
      await redis.ping();
      return { status: "ready" };
    });
  };
}
