import { DEAD_LETTER_REASONS } from "@riskq/contracts";
import { alipayCallMetrics, createMetricsRegistry, queueMetrics, type Registry } from "@riskq/metrics";
import {
  countDeadLettersByReason,
  type DeadLetterQueue,
  type MaintenanceQueue,
  type ScoreQueue,
} from "@riskq/pipeline";
import type { Redis } from "ioredis";

export interface ApiMetricsDeps {
  redis: Redis;
  scoreQueue: ScoreQueue;
  deadQueue: DeadLetterQueue;
  maintenanceQueue: MaintenanceQueue;
  /** Node's process metrics too (default true). */
  defaultMetrics?: boolean;
}

/**
 * The API's metrics: the whole queue picture read from Redis at scrape time (jobs by state of
 * `score`, `score-dead` and `maintenance`, dead letters by reason), so one scrape target shows it,
 * plus the API's own Alipay calls (merchant onboarding). Hand `onAlipayCall` to the Alipay client.
 */
export function createApiMetrics(deps: ApiMetricsDeps): {
  registry: Registry;
  onAlipayCall: ReturnType<typeof alipayCallMetrics>;
} {
  const registry = createMetricsRegistry({ defaultMetrics: deps.defaultMetrics ?? true });
  queueMetrics(registry, {
    queues: [deps.scoreQueue, deps.deadQueue, deps.maintenanceQueue],
    deadLettersByReason: () => countDeadLettersByReason(deps.redis, deps.deadQueue),
    deadLetterReasons: DEAD_LETTER_REASONS,
  });
  return { registry, onAlipayCall: alipayCallMetrics(registry) };
}
