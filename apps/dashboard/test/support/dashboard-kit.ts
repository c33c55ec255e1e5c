import type { ServerTimeouts } from "@riskq/config";
import { createLogger, type Logger } from "@riskq/observability";
import type { Queue } from "bullmq";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { type BoardQueue, createBoardQueues } from "../../src/board/board-queues";
import { environmentBadge } from "../../src/board/environment-badge";
import type { CostSettings } from "../../src/cost/cost-settings";
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

/** The workers' defaults: no budget, BATCH_CAP 100, the pre-filter in shadow. */
export const DEFAULT_COST_SETTINGS: CostSettings = { budgets: {}, batchCap: 100, prefilter: "shadow" };

export async function startDashboard(options: {
  redisUrl?: string | undefined;
  prefix: string;
  /** The cost page's settings (default DEFAULT_COST_SETTINGS). */
  cost?: CostSettings;
  /** The cost page's clock (default the system clock). */
  now?: () => number;
  /** Request, header and idle limits (default: the production ones). */
  timeouts?: ServerTimeouts;
  /** Where its log lines go (default: nowhere). */
  logger?: Logger;
}): Promise<DashboardKit> {
  const redis = new Redis(options.redisUrl ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  const queues = createBoardQueues({ connection: redis, prefix: options.prefix });
  const app = buildDashboard({
    queues,
    credentials: CREDENTIALS,
    environment: environmentBadge("test"),
    logger: options.logger ?? createLogger({ name: "dashboard", level: "silent" }),
    cost: {
      redis,
      prefix: options.prefix,
      settings: options.cost ?? DEFAULT_COST_SETTINGS,
      now: options.now ?? Date.now,
    },
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
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
