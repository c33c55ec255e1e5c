import type { DeadlinePolicy, DegradedReason, ScoreJobData, ScoreJobResult } from "@riskq/contracts";
import { deadMessage } from "@riskq/pipeline";
import type { Prefilter } from "@riskq/prefilter";
import { UnrecoverableError } from "bullmq";
import { prefilterResult } from "../prefilter/prefilter-step";
import { expiredResult } from "./job-result";

/** How a worker decides the jobs no remote score can reach in time (docs/pipeline.md, "Deadlines"). */
export interface DeadlineOptions {
  /** RISKQ_ON_DEADLINE: the policy of jobs whose request names none (`on_deadline`). */
  policy: DeadlinePolicy;
  /**
   * RISKQ_DEADLINE_MARGIN_MS: a job is decided this long before its deadline, so that the decision
   * is stored and a waiting caller has read it by the deadline itself.
   */
  marginMs: number;
  /** The local model of the `local` policy (always loaded: any request may ask for it). */
  prefilter: Prefilter;
  /** With the `expire` policy: complete as `expired` (default) or dead-letter as `expired`. */
  expiredPolicy: "complete" | "dead-letter";
  /** Told of every degraded decision (audit re-scoring); must not throw. */
  onDegraded?: (data: ScoreJobData, result: ScoreJobResult) => Promise<void>;
}

/** The fixed answer of the `allow` (fail open) and `review` (send to review) policies. */
function policyResult(
  itemId: string,
  decision: "allow" | "review",
  reason: DegradedReason,
  attempts: number,
): ScoreJobResult {
  return {
    item_id: itemId,
    source: "policy",
    decision,
    confidence: null,
    risk_score: null,
    risk_level: null,
    // `review` is riskq's "flagged for review"; `allow` lets the payment through.
    flagged: decision === "review",
    info_code: [],
    model_version: null,
    cost_usd: 0,
    attempts,
    degraded: true,
    degraded_reason: reason,
  };
}

/**
 * The decision of a job whose remote score cannot arrive before its deadline, by its policy:
 * `local` — the local model's verdict at the job's threshold (`source: "prefilter"`); an item the
 * model cannot judge (unlike anything it was trained on) goes to review instead; `allow` / `review`
 * — a fixed decision (`source: "policy"`); `expire` — no decision (`source: "expired"`), or a dead
 * letter when so configured. Every one but `expire` is marked `degraded` with its reason.
 */
export async function decideAtDeadline(
  options: DeadlineOptions,
  data: ScoreJobData,
  reason: DegradedReason,
  attempts: number,
): Promise<ScoreJobResult> {
  const policy = data.request.on_deadline ?? options.policy;
  const itemId = data.request.item_id;
  if (policy === "expire") {
    if (options.expiredPolicy === "dead-letter") {
      throw new UnrecoverableError(
        deadMessage(
          "expired",
          "deadline_passed",
          `no remote score could arrive before the deadline (${reason})`,
        ),
      );
    }
    return { ...expiredResult(itemId, attempts), degraded_reason: reason };
  }
  let result: ScoreJobResult;
  if (policy === "local") {
    const verdict = await options.prefilter.judge(data.request, data.request.confidence_threshold);
    result =
      verdict.decision === "unjudged"
        ? policyResult(itemId, "review", reason, attempts)
        : {
            ...prefilterResult(itemId, verdict, options.prefilter.modelVersion, attempts, true),
            degraded_reason: reason,
          };
  } else {
    result = policyResult(itemId, policy, reason, attempts);
  }
  await options.onDegraded?.(data, result);
  return result;
}
