import { type DeadLetter, type ScoreJobData, type ScoreJobResult, scoreJobId } from "@riskq/contracts";
import type { DeadLetterQueue, ScoreQueue } from "@riskq/pipeline";
import type { Job } from "bullmq";

/** How every expected job ended, and every way the pipeline's promises could have been broken. */
export interface JobOutcomes {
  expected: number;
  completed: number;
  /** Failed in `score` and with a dead letter: the only other way a job may end. */
  dead: number;
  /** Job ids enqueued that are neither completed nor dead. */
  lost: string[];
  /** Failed in `score` without a dead letter, or a dead letter whose job did not fail. */
  unmatchedDeaths: string[];
  /** Completed jobs whose result carries another item's id (or none). */
  wrongItem: string[];
  /** Items (merchant + item id) found in more than one completed result. */
  scoredTwice: string[];
  /** Jobs that are in the queue but were never enqueued by the test. */
  unexpected: string[];
  sources: Record<string, number>;
  deadReasons: Record<string, number>;
  /** A few dead letters, for the log. */
  deadSamples: DeadLetter[];
  /** Ids of the completed jobs and of the dead ones (failed with their dead letter). */
  completedIds: string[];
  deadIds: string[];
}

const countBy = <T>(items: readonly T[], key: (item: T) => string) => {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
};

/**
 * Reads every completed and failed job and every dead letter, and checks them against the job ids
 * the test enqueued: enqueued = completed + dead, nothing lost, every result its own item's, no item
 * in two results.
 */
export async function collectOutcomes(
  queue: ScoreQueue,
  dead: DeadLetterQueue,
  expectedIds: readonly string[],
): Promise<JobOutcomes> {
  const [completedJobs, failedJobs, letters] = await Promise.all([
    queue.getCompleted(0, -1) as Promise<Job<ScoreJobData, ScoreJobResult>[]>,
    queue.getFailed(0, -1) as Promise<Job<ScoreJobData, ScoreJobResult>[]>,
    dead.getJobs(["waiting"], 0, -1),
  ]);
  const expected = new Set(expectedIds);
  const completedIds = new Set(completedJobs.map((j) => j.id!));
  const failedIds = new Set(failedJobs.map((j) => j.id!));
  const letterIds = new Set(letters.map((l) => l.id!));

  const wrongItem: string[] = [];
  const seenItems = new Map<string, number>();
  for (const job of completedJobs) {
    const request = job.data.request;
    const result = job.returnvalue;
    if (
      !result ||
      result.item_id !== request.item_id ||
      job.id !== scoreJobId(request.merchant_id, request.item_id)
    ) {
      wrongItem.push(job.id!);
    }
    if (result) {
      const item = scoreJobId(request.merchant_id, result.item_id);
      seenItems.set(item, (seenItems.get(item) ?? 0) + 1);
    }
  }
  const deadIds = [...failedIds].filter((id) => letterIds.has(id));
  const unmatchedDeaths = [
    ...[...failedIds].filter((id) => !letterIds.has(id)),
    ...[...letterIds].filter((id) => !failedIds.has(id)),
  ];
  const deadLetters = letters.map((l) => l.data);
  return {
    expected: expected.size,
    completed: completedIds.size,
    dead: deadIds.length,
    lost: [...expected].filter((id) => !completedIds.has(id) && !(failedIds.has(id) && letterIds.has(id))),
    unmatchedDeaths,
    wrongItem,
    scoredTwice: [...seenItems].filter(([, n]) => n > 1).map(([item]) => item),
    unexpected: [...completedIds, ...failedIds].filter((id) => !expected.has(id)),
    sources: countBy(completedJobs, (j) => j.returnvalue?.source ?? "none"),
    deadReasons: countBy(deadLetters, (d) => d.reason),
    deadSamples: deadLetters.slice(0, 5),
    completedIds: [...completedIds],
    deadIds,
  };
}

/** A short printable account of the outcomes. */
export function formatOutcomes(o: JobOutcomes): string {
  const lines = [
    `enqueued ${o.expected} = completed ${o.completed} + dead ${o.dead}` +
      ` (lost ${o.lost.length}, wrong item ${o.wrongItem.length}, scored twice ${o.scoredTwice.length},` +
      ` unmatched deaths ${o.unmatchedDeaths.length})`,
    `completed by source: ${JSON.stringify(o.sources)}`,
    `dead letters by reason: ${JSON.stringify(o.deadReasons)}`,
  ];
  for (const d of o.deadSamples) {
    lines.push(
      `  dead ${d.job_id}: ${d.reason} (${d.last_error.code}: ${d.last_error.message.slice(0, 160)})`,
    );
  }
  return lines.join("\n");
}
