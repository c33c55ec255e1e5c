import { isScoreJobId } from "@riskq/contracts";
import type { DeadLetterStore, OutcomeRecord, OutcomeRecords, ScoreQueue } from "@riskq/pipeline";
import { isFinal, type JobView, readStoredJobs } from "./job-view";

/** The id's item id: job ids are `<16-digit merchant id>-<item id>`. */
const itemIdOf = (id: string) => id.slice(17);

/**
 * The view of a job known only by its idempotency record: gone from the queue (past BullMQ's
 * retention) but ended less than RISKQ_IDEMPOTENCY_TTL ago. `outcome` stands in for `result` or
 * `dead_letter`, which went with the job.
 */
function recordedView(id: string, record: OutcomeRecord): JobView {
  return { id, item_id: itemIdOf(id), status: record.status, outcome: record.outcome };
}

/** A job whose outcome is already known, and the deadline its first submission had (or its end). */
export interface FinishedJob {
  view: JobView;
  deadlineAt: number;
  /** The key that submitted it, when the job is still there to say (records keep no key names). */
  submittedBy: string | undefined;
}

/**
 * The jobs among these ids that have ended (undefined for the others), in order: completed or dead
 * jobs still in the queue, then, for ids with no job at all, their idempotency records. A live job
 * always wins over a record (a redriven dead job, a job whose record was written just before it
 * completed). Answering finished jobs here rather than adding them again also closes the gap where
 * retention removes an old job between a check and an add, which would score it a second time.
 * Two round trips for the whole batch, plus one per dead job.
 */
export async function findFinishedJobs(
  queue: ScoreQueue,
  deadLetters: DeadLetterStore,
  outcomes: OutcomeRecords,
  ids: readonly string[],
  now: number,
): Promise<Array<FinishedJob | undefined>> {
  const stored = await readStoredJobs(queue, deadLetters, ids);
  const found: Array<FinishedJob | undefined> = stored.map((job) =>
    job && isFinal(job.view.status)
      ? { view: job.view, deadlineAt: job.data.deadline_at, submittedBy: job.data.submitted_by }
      : undefined,
  );
  const gone = ids.flatMap((id, i) => (stored[i] ? [] : [{ id, i }]));
  const records = await outcomes.recall(
    gone.map(({ id }) => id),
    now,
  );
  gone.forEach(({ id, i }, k) => {
    const record = records[k];
    if (record) {
      found[i] = {
        view: recordedView(id, record),
        deadlineAt: record.outcome.finished_at,
        submittedBy: undefined,
      };
    }
  });
  return found;
}

/** GET's fallback once the job is gone: its recorded outcome, undefined without one. */
export async function readRecordedView(
  outcomes: OutcomeRecords | undefined,
  id: string,
  now: number,
): Promise<JobView | undefined> {
  if (!outcomes || !isScoreJobId(id)) return undefined;
  const [record] = await outcomes.recall([id], now);
  return record && recordedView(id, record);
}
