import type { JobStatus, JobView, ScoreJobData } from "@riskq/contracts";
import type { DeadLetterStore, ScoreQueue } from "@riskq/pipeline";
import { type JobSnapshot, readJobSnapshots } from "./job-snapshots";

// The one shape of a job in every answer is @riskq/contracts' `jobViewSchema` (what the OpenAPI
// document and @riskq/client use): four states, two of them final.
export type { JobStatus, JobView };

export const isFinal = (status: JobStatus) => status === "completed" || status === "dead";

/** A job as read back: what callers see, and the data it was stored with. */
export interface StoredJob {
  view: JobView;
  data: ScoreJobData;
}

/** The view of a snapshot; a dead job's dead letter is added by `withDeadLetters`. */
function viewOf(id: string, itemId: string, snapshot: JobSnapshot): JobView {
  const view: JobView = { id, item_id: itemId, status: snapshot.status };
  if (snapshot.result !== undefined) view.result = snapshot.result;
  return view;
}

/**
 * Adds their dead letters to the dead views, in place. Read one by one (concurrently): jobs die
 * rarely, and a poll reads only those that turned dead since the last one.
 */
async function withDeadLetters(deadLetters: DeadLetterStore, views: ReadonlyArray<JobView | undefined>) {
  await Promise.all(
    views.map(async (view) => {
      if (view?.status !== "dead") return;
      const letter = await deadLetters.get(view.id);
      if (letter) view.dead_letter = letter;
    }),
  );
}

/** The jobs with these ids, read in one round trip (plus one per dead job); undefined where none. */
export async function readStoredJobs(
  queue: ScoreQueue,
  deadLetters: DeadLetterStore,
  ids: readonly string[],
): Promise<Array<StoredJob | undefined>> {
  const snapshots = await readJobSnapshots(queue, ids, { withData: true });
  const stored = snapshots.map((snapshot, i) => {
    if (!snapshot?.data) return undefined;
    return { view: viewOf(ids[i]!, snapshot.data.request.item_id, snapshot), data: snapshot.data };
  });
  await withDeadLetters(
    deadLetters,
    stored.map((job) => job?.view),
  );
  return stored;
}

/**
 * Fresh views of jobs already shown once (a wait's poll): one round trip for all of them, without
 * their data (item_id and duplicate are known), undefined for a job gone meanwhile.
 */
export async function refreshViews(
  queue: ScoreQueue,
  deadLetters: DeadLetterStore,
  views: readonly JobView[],
): Promise<Array<JobView | undefined>> {
  const snapshots = await readJobSnapshots(
    queue,
    views.map((view) => view.id),
    { withData: false },
  );
  const fresh = snapshots.map((snapshot, i) => {
    const known = views[i]!;
    if (!snapshot) return undefined;
    const view = viewOf(known.id, known.item_id, snapshot);
    if (known.duplicate !== undefined) view.duplicate = known.duplicate;
    return view;
  });
  await withDeadLetters(deadLetters, fresh);
  return fresh;
}
