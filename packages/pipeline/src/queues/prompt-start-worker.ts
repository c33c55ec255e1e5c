import { type Job, type Processor, Worker, type WorkerOptions } from "bullmq";

export interface PromptStartOptions {
  /**
   * How long the worker may go on fetching jobs, one round trip each, before it starts the ones it
   * has fetched (default 100 ms).
   */
  maxFetchRunMs?: number;
  now?: () => number;
}

/**
 * One call interval at Alipay's default 10 calls/s. In the pipeline bench's drain (one worker, 1 000
 * slots, 20 000 jobs waiting, ratio 0.44 and 71 items per call before), 50 ms made batches of 53-57
 * items and a ratio of 0.40-0.42 in three runs; 100 ms, 65-68 items and 0.43 in two.
 */
const DEFAULT_MAX_FETCH_RUN_MS = 100;

/** A fetched job not started within this long was never going to be (a worker closing): forgotten. */
const FORGET_UNSTARTED_MS = 10_000;

/**
 * A BullMQ Worker that starts the jobs it fetched at least every `maxFetchRunMs` (100 ms).
 *
 * BullMQ's main loop fetches jobs one round trip at a time for as long as jobs are waiting and it
 * has free slots, and starts none of them until that run of fetches ends. When one merchant posts
 * 1 000 items, a worker with 1 000 slots fetched for 300 ms and more and started nothing meanwhile:
 * the other merchants' jobs it had fetched along with the burst sat unstarted, and a second worker
 * made no call at all for over a second (payment-budget bench, jobs' fetch and start times logged).
 *
 * So once a run of fetches has lasted `maxFetchRunMs`, the next fetch answers "no job" without
 * asking Redis while fetched jobs wait to start: BullMQ's loop then starts one and fetches again, and
 * the fetches keep answering so until every fetched job has started. Runs shorter than that are left
 * alone, so a backlog is still taken in chunks that fill batches.
 *
 * Only BullMQ's protected extension points are overridden. A "no job" is never given after a fetch
 * that found the queue empty (BullMQ then waits on its marker, which such an answer would waste), and
 * never twice without a job starting in between, so the loop cannot spin on a stale count.
 */
export class PromptStartWorker<DataType = unknown, ResultType = unknown> extends Worker<
  DataType,
  ResultType
> {
  private readonly maxFetchRunMs: number;
  private readonly clock: () => number;
  /** Fetched jobs not started yet, by id, with when each was fetched (in fetch order). */
  private readonly unstarted = new Map<string, number>();
  private runStartedAt = 0;
  private lastFetchFoundJob = false;
  private heldBack = false;

  constructor(
    name: string,
    processor: Processor<DataType, ResultType>,
    opts: WorkerOptions,
    prompt: PromptStartOptions = {},
  ) {
    super(name, processor, opts);
    this.maxFetchRunMs = prompt.maxFetchRunMs ?? DEFAULT_MAX_FETCH_RUN_MS;
    this.clock = prompt.now ?? Date.now;
  }

  protected override async moveToActive(token: string, name?: string): Promise<Job<DataType, ResultType>> {
    const now = this.clock();
    this.forgetStale(now);
    if (
      this.unstarted.size > 0 &&
      this.lastFetchFoundJob &&
      !this.heldBack &&
      now - this.runStartedAt >= this.maxFetchRunMs
    ) {
      this.heldBack = true;
      // BullMQ types the answer as a Job but treats a missing one as "none waiting".
      return undefined as unknown as Job<DataType, ResultType>;
    }
    if (this.unstarted.size === 0) this.runStartedAt = now;
    this.heldBack = false;
    return super.moveToActive(token, name);
  }

  /** Every fetched job passes here: fetched on its own, or with the completion of another. */
  protected override async nextJobFromJobData(
    ...args: Parameters<Worker<DataType, ResultType>["nextJobFromJobData"]>
  ): Promise<Job<DataType, ResultType>> {
    const job = await super.nextJobFromJobData(...args);
    this.lastFetchFoundJob = job !== undefined;
    if (job?.id !== undefined) this.unstarted.set(job.id, this.clock());
    return job;
  }

  protected override callProcessJob(
    ...args: Parameters<Worker<DataType, ResultType>["callProcessJob"]>
  ): Promise<ResultType> {
    this.started(args[0]);
    return super.callProcessJob(...args);
  }

  /** A job BullMQ fails before it runs (an unrecoverable mark) has left the line too. */
  protected override handleFailed(
    ...args: Parameters<Worker<DataType, ResultType>["handleFailed"]>
  ): Promise<Job<DataType, ResultType>> {
    this.started(args[1]);
    return super.handleFailed(...args);
  }

  private started(job: Job<DataType, ResultType>): void {
    if (job.id !== undefined) this.unstarted.delete(job.id);
    this.heldBack = false;
  }

  private forgetStale(now: number): void {
    for (const [id, fetchedAt] of this.unstarted) {
      if (now - fetchedAt < FORGET_UNSTARTED_MS) return;
      this.unstarted.delete(id);
    }
  }
}
