import { type ApiKeyIdentity, type ServerTimeouts, timeoutOptions } from "@riskq/config";
import { installRequestId, requestIdOptions } from "@riskq/http";
import type { Registry } from "@riskq/metrics";
import type { Logger } from "@riskq/observability";
import {
  type CallbackDestinationPolicy,
  DEFAULT_DESTINATION_POLICY,
  type DeadLetterStore,
  type OutcomeRecords,
  type ScoreQueue,
} from "@riskq/pipeline";
import Fastify, { type FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { bearerAuth } from "./http/bearer-auth";
import { answerFrameworkError, installErrorAnswers } from "./http/error-answers";
import { installJsonDepthLimit } from "./http/json-depth";
import { installRequestLog } from "./http/request-log";
import { installRequestSpans } from "./http/request-spans";
import { API_TIMEOUTS } from "./http/server-timeouts";
import { openApiRoutes } from "./openapi/openapi-routes";
import { deadLetterRoutes } from "./routes/dead-letters";
import { healthRoutes } from "./routes/health";
import { type MerchantOnboarding, merchantRoutes } from "./routes/merchants";
import { metricsRoutes } from "./routes/metrics";
import { scoreRoutes } from "./routes/scores";
import { backlogGuard } from "./scores/backlog-guard";
import { DEFAULT_FAIR_SHARE_PER_S, FairShare } from "./scores/fair-share";
import type { OutcomeWakeups } from "./scores/outcome-wakeups";
import { DEFAULT_MAX_WAITING_JOBS, waiterCap } from "./scores/waiter-cap";

/** Largest body accepted (a full batch of 1 000 items fits with room to spare). */
const BODY_LIMIT_BYTES = 1_048_576;

/** Everything the API works with, built by `main.ts` (or a test) and handed in. */
export interface ApiDeps {
  /** The API's fail-fast connection (see `createApiRedis`); `/readyz` pings it. */
  redis: Redis;
  scoreQueue: ScoreQueue;
  deadLetters: DeadLetterStore;
  /** Idempotency records (RISKQ_IDEMPOTENCY_TTL; give `deadLetters` the same); without them a duplicate is known only while its job is kept. */
  outcomes?: OutcomeRecords;
  /** The Alipay client, or anything that onboards merchants the same way. */
  alipay: MerchantOnboarding;
  /** The keys callers authenticate with, their roles and merchants (RISKQ_API_KEYS, or its key file). */
  apiKeys: readonly ApiKeyIdentity[];
  logger: Logger;
  /** RISKQ_MAX_BACKLOG. */
  maxBacklog: number;
  /** RISKQ_MAX_WAITING_JOBS: jobs `?wait_ms` requests wait on at once (default 5 000). */
  maxWaitingJobs?: number | undefined;
  /** RISKQ_FAIR_SHARE_PER_S: a merchant's items per second enqueued unprioritised (default 200; 0 off). */
  fairSharePerS?: number | undefined;
  /** How long a backlog count is reused (default 250 ms). */
  backlogCacheMs?: number;
  /** Where `callback_url`s may point (default: loopback, private, metadata… refused; http allowed). */
  callbackDestinations?: CallbackDestinationPolicy;
  /** Wakes `?wait_ms` requests when their jobs end (see OutcomeWakeups); without it they poll alone. */
  outcomeWakeups?: OutcomeWakeups;
  /** Clock of job timestamps (default Date.now). */
  now?: () => number;
  /** Served at `GET /metrics` (see `createApiMetrics`); without it there is no such route. */
  metrics?: Pick<Registry, "metrics" | "contentType">;
  /** Request, header and idle limits (default API_TIMEOUTS; tests shorten them). */
  timeouts?: ServerTimeouts;
}

/** The riskq HTTP API as a Fastify instance, not yet listening (tests use `inject` or `listen`). */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    logger: false, // request lines come from installRequestLog, through the redacting logger
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    frameworkErrors: answerFrameworkError,
    ...timeoutOptions(deps.timeouts ?? API_TIMEOUTS),
    ...requestIdOptions(),
  });
  // Set by the bearer check of /v1 routes (see callerOf); declared so every request has the same shape.
  app.decorateRequest("caller", undefined);
  installRequestId(app);
  installErrorAnswers(app, deps.logger);
  installJsonDepthLimit(app, BODY_LIMIT_BYTES);
  installRequestLog(app, deps.logger);
  installRequestSpans(app);

  app.register(healthRoutes(deps.redis));
  if (deps.metrics) app.register(metricsRoutes(deps.metrics));
  app.register(openApiRoutes());
  const authorize = bearerAuth(deps.apiKeys);
  const guardBacklog = backlogGuard(deps.scoreQueue, {
    maxBacklog: deps.maxBacklog,
    cacheMs: deps.backlogCacheMs,
  });
  app.register(async (v1) => {
    // onRequest runs before the body is read: an unauthenticated caller cannot make us parse 1 MiB.
    v1.addHook("onRequest", async (request) => {
      request.caller = authorize(request.headers.authorization);
    });
    v1.register(
      scoreRoutes({
        scoreQueue: deps.scoreQueue,
        deadLetters: deps.deadLetters,
        guardBacklog,
        waiters: waiterCap(deps.maxWaitingJobs ?? DEFAULT_MAX_WAITING_JOBS),
        fairShare: new FairShare(deps.fairSharePerS ?? DEFAULT_FAIR_SHARE_PER_S),
        callbackDestinations: deps.callbackDestinations ?? DEFAULT_DESTINATION_POLICY,
        watchEnds: deps.outcomeWakeups?.watch,
        ...(deps.outcomes ? { outcomes: deps.outcomes } : {}),
        now: deps.now ?? Date.now,
      }),
    );
    v1.register(deadLetterRoutes(deps.deadLetters, deps.logger));
    v1.register(merchantRoutes(deps.alipay, deps.logger));
  });
  return app;
}
