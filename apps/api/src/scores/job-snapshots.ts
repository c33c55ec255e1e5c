import type { ScoreJobData, ScoreJobResult } from "@riskq/contracts";
import type { ScoreQueue } from "@riskq/pipeline";
import type { JobStatus } from "./job-view";

/** A job as one read saw it: its status, its result once completed, its data when asked for. */
export interface JobSnapshot {
  status: JobStatus;
  result?: ScoreJobResult;
  data?: ScoreJobData;
}

/**
 * Reads many jobs in ONE command, atomically: a Lua script given the `completed` and `failed` sets
 * and the jobs' hashes as keys, answering per job [status code, returnvalue, data]. Reading job by
 * job (getJobState + getJob) cost two round trips per job per poll: ~2 000 commands per poll for a
 * 1 000-item wait. The status follows BullMQ's own bookkeeping, in O(1) per job:
 * - in the `completed` set → completed (its returnvalue written by the same script that put it
 *   there, so a completed job always has its result);
 * - in the `failed` set → dead (jobs with attempts left wait in `delayed`, never in `failed`);
 * - holding a worker's lock (`<job key>:lock`, set when a worker moves it to active and deleted when
 *   it leaves) → active;
 * - otherwise queued (waiting, delayed, prioritized, waiting-children; also a stalled job whose lock
 *   ran out, which BullMQ is about to move back to wait). Checking list membership (LPOS on `wait`
 *   or `active`) as getJobState does would cost O(backlog) per job inside Redis instead.
 * A missing hash (no such job, or removed by retention meanwhile) answers code 0.
 */
const SNAPSHOT_SCRIPT = `
local withData = ARGV[1] == "1"
local out = {}
for i = 3, #KEYS do
  local key = KEYS[i]
  local id = ARGV[i - 1]
  local code, value, data = 0, false, false
  if redis.call("EXISTS", key) == 1 then
    if redis.call("ZSCORE", KEYS[1], id) then
      code = 3
      value = redis.call("HGET", key, "returnvalue")
    elseif redis.call("ZSCORE", KEYS[2], id) then
      code = 4
    elseif redis.call("EXISTS", key .. ":lock") == 1 then
      code = 2
    else
      code = 1
    end
    if withData then data = redis.call("HGET", key, "data") end
  end
  out[#out + 1] = code
  out[#out + 1] = value
  out[#out + 1] = data
end
return out
`;

const STATUS_BY_CODE: ReadonlyArray<JobStatus | undefined> = [
  undefined,
  "queued",
  "active",
  "completed",
  "dead",
];
const COMMAND = "riskqJobSnapshots";

type SnapshotCommand = (...args: Array<string | number>) => Promise<Array<number | string | null>>;
type ClientWithCommand = { [COMMAND]?: SnapshotCommand; defineCommand: (name: string, def: object) => void };

async function snapshotCommand(queue: ScoreQueue): Promise<SnapshotCommand> {
  const client = (await queue.getBackend().client) as unknown as ClientWithCommand;
  // ioredis sends EVALSHA and falls back to EVAL when Redis does not know the script yet.
  if (!client[COMMAND]) client.defineCommand(COMMAND, { lua: SNAPSHOT_SCRIPT });
  return client[COMMAND]!.bind(client);
}

/** BullMQ stores return values as JSON; an unreadable one is left out, as Job.fromJSON does. */
function parseJson<T>(text: number | string | null | undefined): T | undefined {
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/**
 * Snapshots of the jobs with these ids, in order (undefined where there is none), read in one
 * round trip however many there are. `withData` also returns each job's data (the enqueue's
 * read-back needs its submission_id; a poll does not, and leaves it in Redis).
 *
 * The reads asked for in one turn of the event loop go to Redis as one script call: every waiting
 * caller polls its own jobs, and at a few hundred waiters the API spent more CPU sending their
 * one-job reads than on anything else (bench: payment-budget.ts). One call for all is still atomic.
 */
export function readJobSnapshots(
  queue: ScoreQueue,
  ids: readonly string[],
  options: { withData: boolean },
): Promise<Array<JobSnapshot | undefined>> {
  if (ids.length === 0) return Promise.resolve([]);
  let reads = pendingReads.get(queue);
  if (!reads) {
    const turn: TurnReads = { withData: [], withoutData: [] };
    pendingReads.set(queue, turn);
    setImmediate(() => {
      pendingReads.delete(queue);
      void readTogether(queue, turn.withData, true);
      void readTogether(queue, turn.withoutData, false);
    });
    reads = turn;
  }
  const group = options.withData ? reads.withData : reads.withoutData;
  return new Promise((resolve, reject) => group.push({ ids, resolve, reject }));
}

interface PendingRead {
  ids: readonly string[];
  resolve: (snapshots: Array<JobSnapshot | undefined>) => void;
  reject: (err: unknown) => void;
}

interface TurnReads {
  withData: PendingRead[];
  withoutData: PendingRead[];
}

/** The reads of the current turn, per queue, until they are sent. */
const pendingReads = new WeakMap<ScoreQueue, TurnReads>();

async function readTogether(queue: ScoreQueue, group: readonly PendingRead[], withData: boolean) {
  if (group.length === 0) return;
  try {
    const snapshots = await readSnapshots(
      queue,
      group.flatMap((read) => read.ids),
      withData,
    );
    let at = 0;
    for (const read of group) {
      read.resolve(snapshots.slice(at, at + read.ids.length));
      at += read.ids.length;
    }
  } catch (err) {
    for (const read of group) read.reject(err);
  }
}

async function readSnapshots(
  queue: ScoreQueue,
  ids: readonly string[],
  withData: boolean,
): Promise<Array<JobSnapshot | undefined>> {
  const command = await snapshotCommand(queue);
  const keys = [queue.keys.completed!, queue.keys.failed!, ...ids.map((id) => queue.toKey(id))];
  const reply = await command(keys.length, ...keys, withData ? "1" : "0", ...ids);
  return ids.map((_, i) => {
    const status = STATUS_BY_CODE[Number(reply[3 * i])];
    if (status === undefined) return undefined;
    const snapshot: JobSnapshot = { status };
    const result = status === "completed" ? parseJson<ScoreJobResult>(reply[3 * i + 1]) : undefined;
    if (result !== undefined) snapshot.result = result;
    const data = parseJson<ScoreJobData>(reply[3 * i + 2]);
    if (data !== undefined) snapshot.data = data;
    return snapshot;
  });
}
