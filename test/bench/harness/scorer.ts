import type { ScoreItem } from "@riskq/contracts";

/** The task and pinned model every bench call scores with (the bare server answers with the same). */
export const BENCH_TASK = "card_risk";
export const BENCH_MODEL_VERSION = "risk-v3-2026-11";

/**
 * One way of making an encrypted batch/predict call, as the bench client times it. `score` resolves
 * only when every item came back scored: a partial answer is not the work being timed.
 */
export interface Scorer {
  score(items: ScoreItem[]): Promise<void>;
  /** Lets go of connections before the client process exits. */
  close(): void;
}
