import {
  type AnsweredCall,
  type LostCall,
  type PrefilterBucket,
  recordAnsweredCall,
  recordLocalDecisions,
  recordLostCall,
} from "@riskq/cost";
import type { Logger } from "@riskq/observability";
import type { Redis } from "ioredis";

export interface CostRecorderOptions {
  /** A plain ioredis client; the ledger lives under the worker's prefix. */
  redis: Redis;
  prefix: string;
  logger: Pick<Logger, "warn">;
  /** Clock that picks the UTC day a call is booked on (default the system clock). */
  now?: () => number;
  /** How long a day of ledger and traffic is kept (COST_RETENTION_DAYS, default 400). */
  retentionDays?: number;
}

/**
 * Books every remote scoring call in the cost ledger and the recorded traffic (docs/budget-and-cost.md,
 * "Cost"), one script per call. Bookkeeping, not scoring: a failure is logged and never fails the batch.
 */
export function createCostRecorder(options: CostRecorderOptions) {
  const now = options.now ?? Date.now;
  const at = () => ({
    prefix: options.prefix,
    now: now(),
    retentionDays: options.retentionDays,
  });
  const { logger } = options;
  return {
    /** A call that answered 200: its `billing` as billed. */
    async answered(call: AnsweredCall): Promise<void> {
      try {
        await recordAnsweredCall(options.redis, at(), call);
      } catch (err) {
        logger.warn(
          { err, task: call.task, modelVersion: call.modelVersion },
          "could not book a call's billing",
        );
      }
    },
    /** A call whose answer was lost after it may have reached Alipay: booked as an estimate. */
    async lost(call: LostCall): Promise<void> {
      try {
        await recordLostCall(options.redis, at(), call);
      } catch (err) {
        logger.warn(
          { err, task: call.task, modelVersion: call.modelVersion },
          "could not book a lost call's estimate",
        );
      }
    },
    /** A job the pre-filter decided locally (never sent): counted for the simulator's pre-filter off. */
    async local(decided: { task: string; modelVersion: string; bucket: PrefilterBucket }): Promise<void> {
      try {
        await recordLocalDecisions(options.redis, at(), { ...decided, count: 1 });
      } catch (err) {
        logger.warn({ err, task: decided.task }, "could not book a local decision");
      }
    },
  };
}

export type CostRecorder = ReturnType<typeof createCostRecorder>;
