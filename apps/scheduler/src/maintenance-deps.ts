import type { AlertPublisher } from "@riskq/alerts";
import type { AlipayClient } from "@riskq/alipay";
import type { Logger } from "@riskq/observability";
import type { MaintenanceQueue, ScoreQueue } from "@riskq/pipeline";
import type { Redis } from "ioredis";

/** What the maintenance jobs run against (the scheduler process's clients and settings). */
export interface MaintenanceDeps {
  alipay: AlipayClient;
  /** The maintenance queue itself: key-rotation runs plan their next run on it. */
  queue: MaintenanceQueue;
  /** The clock of the Alipay client (token and key instants are on it). */
  now: () => number;
  logger: Logger;
  /** Where the workers' score windows and the degraded marks live (needed by drift-check). */
  redis?: Redis | undefined;
  prefix: string;
  /** The workers' drift window length (default 5 min). */
  driftWindowMs?: number | undefined;
  /** Where the jobs publish their alerts (docs/operations.md, "Alerts"); none: they only log them. */
  publishAlert?: AlertPublisher | undefined;
  /** The `score` queue: drift-check withdraws a degraded model's recent results there. */
  scoreQueue?: ScoreQueue | undefined;
}
