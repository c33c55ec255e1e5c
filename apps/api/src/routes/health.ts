import type { FastifyPluginAsync } from "fastify";
import type { Redis } from "ioredis";
import { z } from "zod";

// The probes' answers, for the OpenAPI document.
export const healthAnswerSchema = z.object({ status: z.literal("ok") });
export const readyAnswerSchema = z.object({ status: z.literal("ready") });

/**
 * `GET /healthz` (the process answers) and `GET /readyz` (and can reach Redis; 503 otherwise),
 * both without authentication, for orchestrators.
 */
export function healthRoutes(redis: Redis): FastifyPluginAsync {
  return async (app) => {
    app.get("/healthz", async () => ({ status: "ok" }) satisfies z.infer<typeof healthAnswerSchema>);
    app.get("/readyz", async () => {
      // Fails within the client's timeouts when Redis is down; the error handler answers 503.
      await redis.ping();
      return { status: "ready" } satisfies z.infer<typeof readyAnswerSchema>;
    });
  };
}
