import type { DeadLetter, ScoreJobData, ScoreJobResult } from "@riskq/contracts";
import type { DeadLetterStore, ScoreQueue } from "@riskq/pipeline";
import type { Job } from "bullmq";

/** What callers see of a job's life: four states, two of them final. */
export type JobStatus = "queued" | "active" | "completed" | "dead";

/** The one shape of a job in every answer (the lead's fixed shape). */
export interface JobView {
  id: string;
  item_id: string;
  status: JobStatus;
  duplicate?: boolean;
  result?: ScoreJobResult;
  dead_letter?: DeadLetter;
}

/** BullMQ's state → ours; undefined for "unknown" (no such job, or removed meanwhile). */
export function statusOf(state: string): JobStatus | undefined {
  switch (state) {
    case "waiting":
    case "delayed":
    case "prioritized":
    case "waiting-children":
      return "queued";
    case "active":
      return "active";
    case "completed":
      return "completed";
    // `failed` is terminal here: jobs with attempts left wait in `delayed`, not in `failed`.
    case "failed":
      return "dead";
    default:
      return undefined;
  }
}

export const isFinal = (status: JobStatus) => status === "completed" || status === "dead";

/** A job as read back: what callers see, and the data it was stored with. */
export interface StoredJob {
  view: JobView;
  data: ScoreJobData;
}

/**
 * Reads the job with this id, undefined when there is none. The state is read before the job:
 * BullMQ stores the return value and moves the job to `completed` in one script, so a job seen
 * completed always has its result — read the other way round, a job finishing in between would
 * show as completed without one.
 */
export async function readStoredJob(
  queue: ScoreQueue,
  deadLetters: DeadLetterStore,
  id: string,
): Promise<StoredJob | undefined> {
  const status = statusOf(await queue.getJobState(id));
  if (status === undefined) return undefined;
  const job: Job<ScoreJobData, ScoreJobResult> | undefined = await queue.getJob(id);
  if (!job) return undefined;
  const view: JobView = { id, item_id: job.data.request.item_id, status };
  if (status === "completed") view.result = job.returnvalue;
  if (status === "dead") {
    const letter = await deadLetters.get(id);
    if (letter) view.dead_letter = letter;
  }
  return { view, data: job.data };
}

/** The current view of the job with this id, undefined when there is none. */
export async function readJobView(
  queue: ScoreQueue,
  deadLetters: DeadLetterStore,
  id: string,
): Promise<JobView | undefined> {
  return (await readStoredJob(queue, deadLetters, id))?.view;
}
