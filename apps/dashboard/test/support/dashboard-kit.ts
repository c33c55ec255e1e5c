import { createLogger } from "@riskq/observability";
import type { Queue } from "bullmq";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { type BoardQueue, createBoardQueues } from "../../src/board/board-queues";
import { environmentBadge } from "../../src/board/environment-badge";
import { buildDashboard } from "../../src/server";

export const CREDENTIALS = { user: "ops", password: "test-dashboard-password-0123" };

/** An `Authorization` header value for HTTP Basic. */
export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;

export const AUTH = { authorization: basic(CREDENTIALS.user, CREDENTIALS.password) };

/** The dashboard built in-process on a test prefix (tests talk to it with `inject`). */
export interface DashboardKit {
  app: FastifyInstance;
  queues: readonly BoardQueue[];
  /** The board's queue of that name. */
  queue(name: string): Queue;
  close(): Promise<void>;
}

export async function startDashboard(options: {
  redisUrl?: string | undefined;
  prefix: string;
}): Promise<DashboardKit> {
  const redis = new Redis(options.redisUrl ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  const queues = createBoardQueues({ connection: redis, prefix: options.prefix });
  const app = buildDashboard({
    queues,
    credentials: CREDENTIALS,
    environment: environmentBadge("test"),
    logger: createLogger({ name: "dashboard", level: "silent" }),
  });
  await app.ready();
  return {
    app,
    queues,
    queue(name) {
      const entry = queues.find((q) => q.queue.name === name);
      if (!entry) throw new Error(`no queue ${name} on the board`);
      return entry.queue;
    },
    async close() {
      await app.close();
      await Promise.all(queues.map(({ queue }) => queue.close()));
      await redis.quit();
    },
  };
}
