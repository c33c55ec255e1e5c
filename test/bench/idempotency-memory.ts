/**
 * How much Redis memory the idempotency records take (part of `pnpm bench`), to size Redis for
 * RISKQ_IDEMPOTENCY_TTL: N records (--records, default 200 000) written as workers write them, spread
 * evenly over a simulated day and a bit (so buckets size their shards from the previous one, as in
 * steady traffic), then MEMORY USAGE of every key under the run's prefix and Redis's used_memory
 * before and after. For comparison, the same count of plain keys (one `SET … PX` per job) is
 * measured too. Writes bench/idempotency-memory.json; the run's keys are deleted at the end.
 */
import { parseArgs } from "node:util";
import type { ScoreJobResult } from "@riskq/contracts";
import { completedRecord, encodeOutcome, OutcomeRecords } from "@riskq/pipeline";
import { connectRedis } from "@riskq/redis";
import type { Redis } from "ioredis";
import { runBench } from "./harness/bench-lifecycle";
import { prefixMemory, usedMemory } from "./harness/redis-memory-usage";
import { deletePrefix, newBenchPrefix } from "./harness/redis-prefix";
import { machineInfo, writeReport } from "./harness/report";

const BENCH = "idempotency-memory";
const TTL_MS = 86_400_000;
/** Bytes per job the design aims at (docs/pipeline.md, "Idempotency"). */
const TARGET_BYTES_PER_JOB = 100;
const { values } = parseArgs({ options: { records: { type: "string", default: "200000" } } });
const records = Number(values.records);
if (!Number.isInteger(records) || records < 10_000) {
  process.stderr.write(`${BENCH}: --records must be an integer ≥ 10000, got ${values.records}\n`);
  process.exit(2);
}
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = newBenchPrefix();
const redis = connectRedis(redisUrl, { maxRetriesPerRequest: null }) as Redis;
const progress = (line: string) => process.stdout.write(`${BENCH}: ${line}\n`);

/** A remote score of riskq's shape; item ids as long as the synthetic traffic's (`txn-` + 12). */
function recordOf(n: number, finishedAt: number) {
  const confidence = Math.round(((n * 7919) % 10_000) / 10) / 1000;
  const result: ScoreJobResult = {
    item_id: `txn-${String(n).padStart(12, "0")}`,
    source: "remote",
    confidence,
    risk_score: Math.round(confidence * 100),
    risk_level: confidence >= 0.7 ? "high" : confidence >= 0.4 ? "medium" : "low",
    flagged: confidence >= 0.7,
    info_code: [],
    model_version: "risk-v3-2026-11",
    cost_usd: 0.000233,
    attempts: 1,
  };
  return {
    id: `2088${String(n % 50).padStart(12, "0")}-${result.item_id}`,
    record: completedRecord(result, finishedAt),
  };
}

async function main(): Promise<number> {
  const outcomes = new OutcomeRecords({ redis, prefix: `${prefix}:bucketed`, ttlMs: TTL_MS });
  // A day and an eighth: every bucket a day's TTL keeps is written, the first one included.
  const spanMs = TTL_MS + TTL_MS / 8;
  const start = Date.now() - spanMs;
  const chunk = 500;
  const before = await usedMemory(redis);
  const began = performance.now();
  progress(`writing ${records} records under ${prefix} (a simulated ${spanMs / 3_600_000} h)…`);
  for (let n = 0; n < records; n += chunk) {
    const at = start + Math.floor((n / records) * spanMs);
    const batch = Array.from({ length: Math.min(chunk, records - n) }, (_, i) => recordOf(n + i, at));
    await outcomes.remember(batch, at);
  }
  const writeSeconds = (performance.now() - began) / 1000;
  const bucketed = await prefixMemory(redis, `${prefix}:bucketed`);
  const after = await usedMemory(redis);

  // One plain key per job, for comparison (a sample is enough: each key costs the same).
  const sample = Math.min(records, 50_000);
  progress(`writing ${sample} plain keys for comparison…`);
  for (let n = 0; n < sample; n += chunk) {
    const pipeline = redis.pipeline();
    for (let i = n; i < Math.min(n + chunk, sample); i++) {
      const { id, record } = recordOf(i, start);
      pipeline.set(`${prefix}:plain:${id}`, encodeOutcome(record), "PX", TTL_MS);
    }
    await pipeline.exec();
  }
  const plain = await prefixMemory(redis, `${prefix}:plain`);

  const perJob = bucketed.bytes / records;
  const plainPerJob = plain.bytes / sample;
  const mbPerMillion = (bytes: number) => Math.round((bytes * 1e6) / 1e5) / 10;
  const report = {
    measured_at: new Date().toISOString(),
    machine: machineInfo(),
    records,
    ttl_ms: TTL_MS,
    keys: bucketed.keys,
    bytes: bucketed.bytes,
    bytes_per_job: Math.round(perJob * 10) / 10,
    mb_per_million_jobs: mbPerMillion(perJob),
    used_memory_delta_bytes: after - before,
    used_memory_bytes_per_job: Math.round(((after - before) / records) * 10) / 10,
    plain_keys_bytes_per_job: Math.round(plainPerJob * 10) / 10,
    write_records_per_s: Math.round(records / writeSeconds),
    table_row: {
      benchmark: "Redis memory of idempotency records (per finished job, RISKQ_IDEMPOTENCY_TTL)",
      riskq: `${perJob.toFixed(1)} B per job, ${mbPerMillion(perJob)} MB per million jobs`,
      baseline: `one key per job ${plainPerJob.toFixed(1)} B`,
      ratio: (perJob / plainPerJob).toFixed(2),
      target: `≤ ${TARGET_BYTES_PER_JOB} B per job`,
      meets: perJob <= TARGET_BYTES_PER_JOB,
    },
  };
  progress(
    [
      `${records} records in ${bucketed.keys} keys: ${report.bytes_per_job} B per job (MEMORY USAGE), ${report.mb_per_million_jobs} MB per million jobs`,
      `used_memory Δ: ${report.used_memory_bytes_per_job} B per job (allocator overhead included)`,
      `one plain key per job: ${report.plain_keys_bytes_per_job} B per job`,
      `written at ${report.write_records_per_s} records/s (chunks of ${chunk})`,
    ].join("\n"),
  );
  progress(`wrote ${writeReport(BENCH, report)}`);
  return 0;
}

async function cleanUp(): Promise<void> {
  await deletePrefix(redis, prefix).catch(() => 0);
  redis.disconnect();
}

process.exit(await runBench(BENCH, main, cleanUp));
