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
 * The jobs among these ids that have ended and left an idempotency record (undefined for the
 * others, which go on to be added: a duplicate of a live job is answered by the add's read-back), in
 * order. A record is looked up first, for the whole batch in one script; only ids that have one are
 * read from the queue, where a job still there wins over its record (a redriven dead job is live
 * again; a completed one shows its full result). Answering them here rather than adding them again
 * also closes the gap where retention removes an old job between a check and an add, which would
 * score it a second time: records are written before a job can complete. One round trip for a batch
 * of new jobs, two when some have records, plus one per dead job.
 */
export async function findFinishedJobs(
  queue: ScoreQueue,
  deadLetters: DeadLetterStore,
  outcomes: OutcomeRecords,
  ids: readonly string[],
  now: number,
): Promise<Array<FinishedJob | undefined>> {
  const found: Array<FinishedJob | undefined> = ids.map(() => undefined);
  const records = await outcomes.recall(ids, now);
  const recorded = ids.flatMap((id, i) => (records[i] ? [{ id, i, record: records[i]! }] : []));
  if (recorded.length === 0) return found;
  const stored = await readStoredJobs(
    queue,
    deadLetters,
    recorded.map(({ id }) => id),
  );
  recorded.forEach(({ id, i, record }, k) => {
    const job = stored[k];
    if (!job) {
      found[i] = {
        view: recordedView(id, record),
        deadlineAt: record.outcome.finished_at,
        submittedBy: undefined,
      };
    } else if (isFinal(job.view.status)) {
      found[i] = { view: job.view, deadlineAt: job.data.deadline_at, submittedBy: job.data.submitted_by };
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
