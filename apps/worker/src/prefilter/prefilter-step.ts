import type { ScoreJobResult, ScoreRequestBody } from "@riskq/contracts";
import { PREFILTER_BUCKETS, type PrefilterBucket } from "@riskq/cost";
import type { Prefilter, PrefilterVerdict, RemoteAnswer, VerdictStats, VerdictUse } from "@riskq/prefilter";

/** RISKQ_PREFILTER: decide clear cases locally, only watch (score everything remotely), or neither. */
type PrefilterMode = "on" | "shadow" | "off";

export interface PrefilterStepOptions {
  prefilter: Prefilter;
  mode: PrefilterMode;
  /**
   * When Alipay cannot be reached for a job (open circuit, exhausted budget), the pre-filter decides
   * it instead of letting it wait, marked `degraded: true` (RISKQ_PREFILTER_FALLBACK). Works in every
   * mode, "off" included.
   */
  fallback: boolean;
  /** Counts verdicts and, for jobs scored remotely, Alipay's answer; none: nothing recorded. */
  stats?: VerdictStats;
  /** Told of each job decided locally (the cost ledger books it); must not throw. */
  onLocalDecision?: (request: ScoreRequestBody, bucket: PrefilterBucket) => Promise<void>;
}

/** Step 2 of a job's flow (docs/architecture.md, "Step 2: the local pre-filter") for one job: the verdict, and what the processor may do with it. */
export interface PrefilterStep {
  judge(request: ScoreRequestBody): Promise<PrefilterVerdict>;
  /** The job's result when the pre-filter decides it (mode "on", a clear case); else undefined. */
  decided(
    verdict: PrefilterVerdict,
    request: ScoreRequestBody,
    attempts: number,
  ): Promise<ScoreJobResult | undefined>;
  /** The job's result when Alipay cannot be reached (fallback on, item judged); else undefined. */
  degraded(
    verdict: PrefilterVerdict,
    request: ScoreRequestBody,
    attempts: number,
  ): Promise<ScoreJobResult | undefined>;
  /** Records what Alipay answered for a job the pre-filter judged but did not decide. */
  scoredRemotely(verdict: PrefilterVerdict, result: ScoreJobResult): void;
  /** The verdict as the cost simulator counts it (PREFILTER_BUCKETS). */
  bucketOf(verdict: PrefilterVerdict): PrefilterBucket;
  /** Writes the verdict counts not yet written (worker shutdown). */
  close(): Promise<void>;
}

/** A result the pre-filter decided: free, no remote attempt, `source: "prefilter"`. */
export function prefilterResult(
  itemId: string,
  verdict: Extract<PrefilterVerdict, { score: unknown }>,
  modelVersion: string,
  attempts: number,
  degraded: boolean,
): ScoreJobResult {
  return {
    item_id: itemId,
    source: "prefilter",
    ...verdict.score,
    model_version: modelVersion,
    cost_usd: 0,
    attempts,
    ...(degraded ? { degraded: true } : {}),
  };
}

export function createPrefilterStep(options: PrefilterStepOptions): PrefilterStep {
  const { prefilter, mode, stats } = options;
  // Counted in memory and written about once a second: bookkeeping never fails or slows a job.
  const count = (use: VerdictUse, verdict: PrefilterVerdict, remote: RemoteAnswer) => {
    stats?.record(use, verdict, remote);
  };
  const bucketOf = (verdict: PrefilterVerdict): PrefilterBucket =>
    verdict.decision === "legit"
      ? PREFILTER_BUCKETS.legit
      : verdict.decision === "fraud"
        ? PREFILTER_BUCKETS.fraud
        : PREFILTER_BUCKETS.undecided;
  const local = async (
    use: "decided" | "degraded",
    verdict: Extract<PrefilterVerdict, { score: unknown }>,
    request: ScoreRequestBody,
    attempts: number,
  ) => {
    count(use, verdict, "none");
    await options.onLocalDecision?.(request, bucketOf(verdict));
    return prefilterResult(request.item_id, verdict, prefilter.modelVersion, attempts, use === "degraded");
  };

  return {
    judge: (request) => prefilter.judge(request, request.confidence_threshold),
    async decided(verdict, request, attempts) {
      if (mode !== "on" || (verdict.decision !== "legit" && verdict.decision !== "fraud")) return undefined;
      return local("decided", verdict, request, attempts);
    },
    async degraded(verdict, request, attempts) {
      if (!options.fallback || verdict.decision === "unjudged") return undefined;
      return local("degraded", verdict, request, attempts);
    },
    scoredRemotely(verdict, result) {
      if (mode === "off" || result.source !== "remote") return;
      count(mode === "shadow" ? "shadow" : "remote", verdict, result.flagged ? "flagged" : "unflagged");
    },
    bucketOf,
    close: async () => {
      await stats?.close();
    },
  };
}
