import type { ScoreJobData } from "@riskq/contracts";

/** One attempt's outcome, kept in the job's data so a dead letter can show the whole history. */
export interface AttemptRecord {
  at: number;
  code: string;
}

/** A `score` job's data as the pipeline keeps it: the request, its attempts, and its redrives. */
export type ScoreJobDataWithHistory = ScoreJobData & {
  history?: AttemptRecord[];
  redrive_count?: number;
  /** When the job was last sent back to be scored again; its time budget counts from here. */
  redriven_at?: number;
};

/**
 * The least time a redriven job gets. Nobody waits on a redrive synchronously (its callback carries
 * the new outcome), so it need not race live payments: with a long deadline it is also scheduled
 * behind them (earliest deadline first).
 */
export const REDRIVE_MIN_BUDGET_MS = 60_000;

/**
 * The data of a job sent back to be scored again — a redriven dead letter, a withdrawn flat
 * result: history cleared, the redrive counted, and a fresh time budget from `now`, at least
 * {@link REDRIVE_MIN_BUDGET_MS}. Its first deadline has passed by then: kept, the worker would decide
 * the job locally at once by its deadline policy instead of scoring it again.
 */
export function redrivenData(data: ScoreJobDataWithHistory, now: number): ScoreJobDataWithHistory {
  const budget = data.deadline_at - startedAt(data);
  return {
    ...data,
    history: [],
    redrive_count: (data.redrive_count ?? 0) + 1,
    redriven_at: now,
    deadline_at: now + Math.max(budget, REDRIVE_MIN_BUDGET_MS),
  };
}

/** When the job's current run was asked for: its enqueue, or its latest redrive. */
export const startedAt = (data: ScoreJobDataWithHistory): number => data.redriven_at ?? data.enqueued_at;
