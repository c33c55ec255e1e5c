import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import type { IServerAdapter } from "@bull-board/api/typings/app";
import { FastifyAdapter } from "@bull-board/fastify";
import { type ServerTimeouts, timeoutOptions } from "@riskq/config";
import { installRequestId, requestIdOptions } from "@riskq/http";
import type { Logger } from "@riskq/observability";
import Fastify, { type FastifyInstance } from "fastify";
import { boardHooks } from "./board/board-hooks";
import type { BoardQueue } from "./board/board-queues";
import type { EnvironmentBadge } from "./board/environment-badge";
import { redactForBoard } from "./board/redact-for-board";
import type { CostReportSource } from "./cost/cost-report";
import { COST_PATH, registerCostRoutes } from "./cost/cost-routes";
import { installAccessControl, installSecurityHeaders } from "./http/access-control";
import type { Credentials } from "./http/basic-auth";
import { installErrorAnswers } from "./http/error-answers";
import { installRequestLog } from "./http/request-log";
import { DASHBOARD_TIMEOUTS } from "./http/server-timeouts";

/** Where the board lives; `/` redirects there. */
export const BOARD_PATH = "/admin/queues";

/** Everything the dashboard works with, built by `main.ts` (or a test) and handed in. */
export interface DashboardDeps {
  queues: readonly BoardQueue[];
  credentials: Credentials;
  environment: EnvironmentBadge;
  logger: Logger;
  /** Where the cost page reads the ledger, traffic and budgets, and the workers' settings it marks. */
  cost: CostReportSource;
  /** Request, header and idle limits (default DASHBOARD_TIMEOUTS; tests shorten them). */
  timeouts?: ServerTimeouts;
}

/**
 * Bull Board and the cost page behind Basic auth and a same-origin check, as a Fastify instance not
 * yet listening.
 */
export function buildDashboard(deps: DashboardDeps): FastifyInstance {
  const app = Fastify({
    logger: false,
    return503OnClosing: true,
    ...timeoutOptions(deps.timeouts ?? DASHBOARD_TIMEOUTS),
    ...requestIdOptions(),
  });
  // Registered on the root instance before anything else, so they cover every route, the board's
  // static files and the 404 answer alike.
  installRequestId(app);
  installErrorAnswers(app, deps.logger);
  installAccessControl(app, deps.credentials);
  installSecurityHeaders(app, `${BOARD_PATH}/static/`);
  installRequestLog(app, deps.logger);

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: deps.queues.map(boardAdapter),
    // @bull-board/fastify 9.10.1 declares its types against its own @bull-board/api 9.10.1, whose
    // adapters differ from 9.10.2's by a private field only; at run time it just stores them.
    serverAdapter: serverAdapter as unknown as IServerAdapter,
    options: {
      handlerHooks: boardHooks(deps.queues),
      uiConfig: {
        boardTitle: "riskq",
        environment: deps.environment,
        // In the board's header menu; the cost page links back.
        miscLinks: [{ text: "Cost: spend, budgets, projected bill", url: COST_PATH }],
      },
    },
  });
  app.get("/", (_request, reply) => reply.redirect(BOARD_PATH));
  app.register(serverAdapter.registerPlugin(), { prefix: BOARD_PATH });
  registerCostRoutes(app, deps.cost, BOARD_PATH);
  return app;
}

function boardAdapter(entry: BoardQueue): BullMQAdapter {
  const adapter = new BullMQAdapter(entry.queue, {
    readOnlyMode: entry.readOnly,
    // Hides the retry buttons; the hooks refuse a retry sent anyway.
    allowRetries: entry.actions.includes("retry"),
    description: entry.description,
  });
  // Every job field that can hold payload data goes through the same redaction as the logs.
  adapter.setFormatter("data", redactForBoard);
  adapter.setFormatter("returnValue", redactForBoard);
  adapter.setFormatter("progress", redactForBoard);
  return adapter;
}
