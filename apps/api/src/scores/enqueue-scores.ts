import { randomUUID } from "node:crypto";
import { DEFAULT_DEADLINE_MS, type ScoreJobData, type ScoreRequestBody, scoreJobId } from "@riskq/contracts";
import type { DeadLetterStore, OutcomeRecords, ScoreQueue } from "@riskq/pipeline";
import { type JobView, readStoredJobs } from "./job-view";
import { findFinishedJobs } from "./recorded-outcomes";
import { sendJobs } from "./send-jobs";

/**
 * Job data as the API stores it: the contract's `ScoreJobData` plus `submission_id`, a random id of
 * the one HTTP submission that wrote it. Workers parse job data with a non-strict schema, so the
 * extra field is carried along (and must be kept when they rewrite the data).
 */
type SubmittedJobData = ScoreJobData & { submission_id: string };

/** A job as its submission found it: its view, and the deadline it is decided by (epoch ms). */
export interface EnqueuedJob {
  view: JobView;
  /** The stored job's `deadline_at`: a duplicate's is the first submission's, not this one's. */
  deadlineAt: number;
  /** The stored job's `submitted_by`: a duplicate's names the key of the first submission. */
  submittedBy: string | undefined;
}

// A job that vanishes between our add and our read (a finished job trimmed by retention at that
// instant) is added again; twice more is far beyond what that race can do.
const MAX_ADD_ROUNDS = 3;

/**
 * Enqueues score requests idempotently, answering for each (in order) its job and whether it
 * already existed.
 *
 * Why a submission id: BullMQ's add with an existing `jobId` keeps the stored job and returns a Job
 * built from *our* arguments, so its answer cannot tell a new job from a duplicate. The add itself
 * is one atomic script, though: exactly one submission's data gets stored. Each submission therefore
 * writes a fresh random `submission_id` and reads the job back; finding its own id there means its
 * add created the job, finding another means someone else's did (earlier, or concurrently in this or
 * another API process). Comparing `enqueued_at` instead would be ambiguous: identical requests in
 * the same millisecond carry identical data. A duplicate of a completed or dead job returns that job
 * and never runs it again (failed jobs are kept, so their ids stay taken).
 *
 * `priorities` (aligned with `requests`, see FairShare) are BullMQ priorities of new jobs; a
 * duplicate keeps the job it found, priority included. All jobs are read back in one round trip.
 *
 * With `outcomes` (idempotency records, docs/pipeline.md, "Idempotency"), jobs that already ended are
 * answered first and never added: from the queue while BullMQ keeps them, from their record once it has
 * removed them, so a duplicate arriving after retention is not scored and billed again.
 */
export async function enqueueScores(
  queue: ScoreQueue,
  deadLetters: DeadLetterStore,
  requests: readonly ScoreRequestBody[],
  now: number,
  /** The name of the key submitting (recorded as `submitted_by`; never the key itself). */
  submittedBy: string,
  priorities?: readonly number[],
  outcomes?: OutcomeRecords,
): Promise<EnqueuedJob[]> {
  const answers: Array<EnqueuedJob | undefined> = requests.map(() => undefined);
  if (outcomes) {
    const ids = requests.map((request) => scoreJobId(request.merchant_id, request.item_id));
    const finished = await findFinishedJobs(queue, deadLetters, outcomes, ids, now);
    finished.forEach((job, i) => {
      if (job) answers[i] = { ...job, view: { ...job.view, duplicate: true } };
    });
  }
  for (let round = 0; round < MAX_ADD_ROUNDS; round++) {
    const pending = requests.flatMap((request, index) => (answers[index] ? [] : [{ request, index }]));
    if (pending.length === 0) break;
    const submitted = pending.map(({ request, index }) => {
      const data: SubmittedJobData = {
        request,
        enqueued_at: now,
        deadline_at: now + (request.deadline_ms ?? DEFAULT_DEADLINE_MS),
        submission_id: randomUUID(),
        submitted_by: submittedBy,
      };
      return { index, id: scoreJobId(request.merchant_id, request.item_id), data };
    });
    // One pipelined round trip for the whole batch, in one enqueue span (README: Tracing); jobs keep
    // request order, so within one batch the first of two items with the same id creates the job
    // and the second is its duplicate.
    await sendJobs(
      queue,
      submitted.map(({ index, id, data }) => {
        // Priority 0 is left out: such jobs go to `wait`, as every job did before fair shares.
        const priority = priorities?.[index];
        return { name: data.request.task, data, opts: priority ? { jobId: id, priority } : { jobId: id } };
      }),
    );
    const stored = await readStoredJobs(
      queue,
      deadLetters,
      submitted.map(({ id }) => id),
    );
    submitted.forEach(({ index, data }, i) => {
      const found = stored[i];
      if (!found) return;
      const mine = (found.data as Partial<SubmittedJobData>).submission_id === data.submission_id;
      answers[index] = {
        view: { ...found.view, duplicate: !mine },
        deadlineAt: found.data.deadline_at,
        submittedBy: found.data.submitted_by,
      };
    });
  }
  return answers.map((answer, index) => {
    if (answer) return answer;
    const request = requests[index]!;
    throw new Error(
      `job ${scoreJobId(request.merchant_id, request.item_id)} vanished right after being added`,
    );
  });
}
