import type { ScoreJobResult } from "@riskq/contracts";
import type { ScoreJobDataWithHistory, ScoreQueue } from "@riskq/pipeline";
import type { Job } from "bullmq";
import { decidedByDeadline, decisionMs, isDecision } from "./decision-time";

/** What the completed jobs say, read from the `score` queue itself (the truth, not a counter). */
export interface CompletedOutcomes {
  total: number;
  bySource: Record<string, number>;
  byModel: Record<string, number>;
  /** Completed after their first result was withdrawn (a degraded model's flat answer). */
  rescored: number;
  /** Decided without Alipay's score, by `degraded_reason` (deadline, rate_limited…). */
  byDegradedReason: Record<string, number>;
  /** Enqueue → result of the remotely scored jobs, ms; undefined without any. */
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** Enqueue → decision of every decided job (remote, prefilter, policy), ms; undefined without any. */
  decisionP50Ms: number | undefined;
  decisionP99Ms: number | undefined;
  /** Jobs decided (not expired) within their own deadline: what a payment could act on in time. */
  decidedByDeadline: number;
}

const PAGE = 1_000;

export async function readCompleted(queue: ScoreQueue): Promise<CompletedOutcomes> {
  const outcomes: CompletedOutcomes = {
    total: 0,
    bySource: {},
    byModel: {},
    rescored: 0,
    byDegradedReason: {},
    p50Ms: undefined,
    p99Ms: undefined,
    decisionP50Ms: undefined,
    decisionP99Ms: undefined,
    decidedByDeadline: 0,
  };
  const latencies: number[] = [];
  const decisions: number[] = [];
  for (let start = 0; ; start += PAGE) {
    const page = (await queue.getCompleted(start, start + PAGE - 1)) as Array<
      Job<ScoreJobDataWithHistory, ScoreJobResult>
    >;
    for (const job of page) {
      const result = job.returnvalue;
      outcomes.total += 1;
      const source = result?.source ?? "unknown";
      outcomes.bySource[source] = (outcomes.bySource[source] ?? 0) + 1;
      if (result?.model_version) {
        outcomes.byModel[result.model_version] = (outcomes.byModel[result.model_version] ?? 0) + 1;
      }
      if ((job.data.redrive_count ?? 0) > 0) outcomes.rescored += 1;
      const reason = result?.degraded_reason;
      if (reason) outcomes.byDegradedReason[reason] = (outcomes.byDegradedReason[reason] ?? 0) + 1;
      const decidedIn = decisionMs(job);
      if (isDecision(result?.source) && decidedIn !== undefined) decisions.push(decidedIn);
      if (decidedByDeadline(job)) outcomes.decidedByDeadline += 1;
      if (source === "remote" && decidedIn !== undefined) latencies.push(decidedIn);
    }
    if (page.length < PAGE) break;
  }
  latencies.sort((a, b) => a - b);
  outcomes.p50Ms = quantile(latencies, 0.5);
  outcomes.p99Ms = quantile(latencies, 0.99);
  decisions.sort((a, b) => a - b);
  outcomes.decisionP50Ms = quantile(decisions, 0.5);
  outcomes.decisionP99Ms = quantile(decisions, 0.99);
  return outcomes;
}

function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
