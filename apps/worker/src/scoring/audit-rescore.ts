import { QUEUES, type ScoreJobData, type ScoreJobResult } from "@riskq/contracts";
import type { Logger } from "@riskq/observability";
import type { ScoreQueue } from "@riskq/pipeline";
import type { Redis } from "ioredis";

/**
 * BullMQ's lowest priority: prioritized jobs are fetched only once no unprioritized (caller) job
 * waits, and this one after every other prioritized job too.
 */
const AUDIT_PRIORITY = 2_097_151;

/** An audit has an hour: it waits behind live traffic, and is worthless once nobody looks any more. */
const AUDIT_DEADLINE_MS = 3_600_000;

export interface AuditRescoreOptions {
  queue: ScoreQueue;
  /** The worker's plain connection (writes the audit next to the decision). */
  redis: Redis;
  prefix: string;
  logger: Pick<Logger, "warn">;
  now?: () => number;
}

/**
 * RISKQ_RESCORE_DEGRADED: every degraded decision (deadline policy or fallback) is scored remotely
 * later, at the lowest priority, and Alipay's verdict is stored next to the decision as its `audit`
 * — so the local model's stand-ins can be checked against Alipay on the very payments they decided.
 * The audit calls are real calls: billed, and in the cost ledger like any other.
 */
export function createAuditRescore(options: AuditRescoreOptions) {
  const now = options.now ?? Date.now;
  return {
    /** Queues the audit of the degraded decision of job `jobId` (once: its id is derived from the job's); never throws. */
    async schedule(jobId: string, data: ScoreJobData): Promise<void> {
      const { callback_url: _c, on_deadline: _o, ...request } = data.request;
      const audit: ScoreJobData = {
        // Nothing to decide at its deadline: an audit nobody could wait for is simply expired.
        request: { ...request, on_deadline: "expire" },
        enqueued_at: now(),
        deadline_at: now() + AUDIT_DEADLINE_MS,
        audit_of: jobId,
      };
      // `.` is in no job id a caller can make (item ids are [A-Za-z0-9_-]): no collision.
      // A second's delay: the decision it audits is stored by then (store() waits for it anyway).
      // An audit that cannot be queued is logged, never allowed to hold the payment's decision back.
      await options.queue
        .add(QUEUES.score, audit, { jobId: `${jobId}.audit`, priority: AUDIT_PRIORITY, delay: 1_000 })
        .catch((err: unknown) =>
          options.logger.warn({ err, jobId }, "could not queue the audit of a degraded decision"),
        );
    },
    /** Stores the audit job's remote verdict in the result of the job it audits. */
    async store(auditOf: string, result: ScoreJobResult): Promise<void> {
      if (result.source !== "remote" || result.confidence === null || result.risk_score === null) return;
      const key = `${options.prefix}:${QUEUES.score}:${auditOf}`;
      let raw = await options.redis.hget(key, "returnvalue");
      for (let tries = 0; raw === null && tries < 10 && (await options.redis.exists(key)); tries++) {
        // Still being completed: its worker stores the decision a moment after it was made.
        await new Promise((resolve) => setTimeout(resolve, 200));
        raw = await options.redis.hget(key, "returnvalue");
      }
      if (raw === null) {
        options.logger.warn({ jobId: auditOf }, "audited job is gone (retention); its audit is dropped");
        return;
      }
      const decision = JSON.parse(raw) as ScoreJobResult;
      const audit = {
        confidence: result.confidence,
        risk_score: result.risk_score,
        flagged: result.flagged === true,
        model_version: result.model_version ?? "",
        cost_usd: result.cost_usd,
        scored_at: now(),
      };
      await options.redis.hset(key, "returnvalue", JSON.stringify({ ...decision, audit }));
    },
  };
}
export type AuditRescore = ReturnType<typeof createAuditRescore>;
