import { hash } from "node:crypto";
import type { Redis } from "ioredis";
import { decodeOutcome, encodeOutcome, type OutcomeRecord } from "./outcome-encoding";
import { FORGET_SCRIPT, RECALL_SCRIPT, REMEMBER_SCRIPT } from "./outcome-scripts";

/** A TTL is cut into this many buckets: records live between the TTL and an eighth more. */
const BUCKETS_PER_TTL = 8;

export interface OutcomeRecordsOptions {
  redis: Redis;
  /** riskq's key prefix (with its hash tag). */
  prefix: string;
  /**
   * RISKQ_IDEMPOTENCY_TTL in ms (a day by default): how long after a job ended its outcome is still
   * known. The API and the workers must use the same: the buckets are cut from it.
   */
  ttlMs: number;
}

type Command = (...args: Array<string | number>) => Promise<unknown>;

/** Where a job id's record is: a 32-bit selector of its shard and a 12-character field name. */
function placeOf(id: string): [selector: number, field: string] {
  // One-shot: about half the cost of createHash, and it runs for every job the worker finishes.
  const digest = hash("sha256", id, "buffer");
  // 72 bits of field: a stranger's id matches a record of its shard (~100 of them) about once in 10^19 lookups.
  return [digest.readUInt32BE(0), digest.subarray(4, 13).toString("base64url")];
}

/**
 * The idempotency records of finished jobs (docs/pipeline.md, "Idempotency"): a job's id stays taken for
 * `ttlMs` after it ended, however soon BullMQ's retention removes the job itself, so a late
 * duplicate gets the stored outcome instead of being scored and billed again.
 *
 * Records are kept in small per-time-bucket hashes (outcome-scripts.ts), about 50 bytes of Redis
 * memory per job where one key per job would cost over 100 (bench: idempotency-memory.ts). Field
 * names are digests, so a record's size does not depend on how long the caller's item id is.
 * Writing is idempotent: a record rewritten (a job run again after a crash, a redriven job ending)
 * is found in its newest version.
 */
export class OutcomeRecords {
  readonly ttlMs: number;
  private readonly bucketMs: number;
  private readonly base: string;

  constructor(private readonly options: OutcomeRecordsOptions) {
    this.ttlMs = options.ttlMs;
    if (!(this.ttlMs >= 1_000)) throw new Error(`idempotency TTL must be at least 1 s, got ${this.ttlMs} ms`);
    this.bucketMs = Math.ceil(this.ttlMs / BUCKETS_PER_TTL);
    this.base = `${options.prefix}:outcomes:`;
  }

  /** Stores the records of these jobs (which ended at `now`), replacing any earlier ones. */
  async remember(records: ReadonlyArray<{ id: string; record: OutcomeRecord }>, now: number): Promise<void> {
    if (records.length === 0) return;
    const bucket = Math.floor(now / this.bucketMs);
    const expireAt = (bucket + 1) * this.bucketMs + this.ttlMs;
    const args = records.flatMap(({ id, record }) => [...placeOf(id), encodeOutcome(record)]);
    await this.command("riskqRememberOutcomes", REMEMBER_SCRIPT)(this.base, bucket, expireAt, ...args);
  }

  /**
   * The records of these ids (undefined where none, or older than the TTL), in order, in one round
   * trip. Looks one bucket ahead too: a worker whose clock runs ahead of ours writes there.
   */
  async recall(ids: readonly string[], now: number): Promise<Array<OutcomeRecord | undefined>> {
    if (ids.length === 0) return [];
    const reply = (await this.command("riskqRecallOutcomes", RECALL_SCRIPT)(
      ...this.window(now),
      ...ids.flatMap(placeOf),
    )) as Array<string | null>;
    return reply.map((text) => {
      const record = typeof text === "string" ? decodeOutcome(text) : undefined;
      return record && now - record.outcome.finished_at <= this.ttlMs ? record : undefined;
    });
  }

  /** Deletes the records of these ids (an operator's purge frees the ids); answers how many there were. */
  async forget(ids: readonly string[], now: number): Promise<number> {
    if (ids.length === 0) return 0;
    const command = this.command("riskqForgetOutcomes", FORGET_SCRIPT);
    return Number(await command(...this.window(now), ...ids.flatMap(placeOf)));
  }

  /** The buckets that can hold a live record: one ahead of now, back to a TTL and a bucket ago. */
  private window(now: number): [string, number, number] {
    const newest = Math.floor(now / this.bucketMs) + 1;
    return [this.base, newest, BUCKETS_PER_TTL + 3];
  }

  private command(name: string, lua: string): Command {
    const client = this.options.redis as unknown as Record<string, Command | undefined> & {
      defineCommand: (name: string, def: object) => void;
    };
    // ioredis sends EVALSHA and falls back to EVAL when Redis does not know the script yet.
    if (!client[name]) client.defineCommand(name, { lua });
    const run = client[name]!.bind(client);
    // The key names are built inside the script (shard counts change), so the base is also passed
    // as the one declared key: a cluster client routes the script to the node owning the prefix's
    // hash tag, where every record key lives. The script reads its arguments from ARGV[1] on.
    return (base, ...args) => run(1, base!, base!, ...args);
  }
}
