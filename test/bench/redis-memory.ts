/**
 * How much Redis memory riskq's retained completed jobs take (part of `pnpm bench`), to size Redis:
 * N jobs (--jobs, default 100 000) as the API enqueues them, completed by a BullMQ worker answering
 * results of riskq's shape, then the memory of every key under the run's prefix (MEMORY USAGE, exact)
 * and Redis's own used_memory before and after. Printed per job and per 100 000 jobs; writes
 * bench/redis-memory.json. Needs Redis at REDIS_URL (default redis://127.0.0.1:6379); the run's keys
 * are deleted at the end.
 */
import { parseArgs } from "node:util";
import { QUEUES, type ScoreJobResult } from "@riskq/contracts";
import { createScoreQueue } from "@riskq/pipeline";
import { connectRedis } from "@riskq/redis";
import { Worker } from "bullmq";
import { scoreRequests, testMerchants } from "../e2e/support/score-traffic";
import { runBench } from "./harness/bench-lifecycle";
import { prefixMemory, usedMemory } from "./harness/redis-memory-usage";
import { deletePrefix, newBenchPrefix } from "./harness/redis-prefix";
import { machineInfo, writeReport } from "./harness/report";
import { addInChunks, scoreJobs } from "./harness/score-jobs";
import { formatRedisMemoryReport, REDIS_MEMORY_REPORT, type RedisMemoryReport } from "./reports/redis-memory";

const BENCH = "redis-memory";
const { values } = parseArgs({ options: { jobs: { type: "string", default: "100000" } } });
const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1_000) {
  process.stderr.write(`${BENCH}: --jobs must be an integer ≥ 1000, got ${values.jobs}\n`);
  process.exit(2);
}
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = newBenchPrefix();
const redis = connectRedis(redisUrl, { maxRetriesPerRequest: null });
const progress = (line: string) => process.stdout.write(`${BENCH}: ${line}\n`);

/** A result as riskq's worker stores it (job-result.ts): the same fields and sizes. */
function resultOf(itemId: string, n: number): ScoreJobResult {
  const confidence = Math.round(((n * 7919) % 10_000) / 10) / 1000;
  return {
    item_id: itemId,
    source: "remote",
    confidence,
    risk_score: Math.round(confidence * 100),
    risk_level: confidence >= 0.7 ? "high" : confidence >= 0.4 ? "medium" : "low",
    flagged: confidence >= 0.7,
    info_code: confidence >= 0.7 ? ["velocity_spike"] : [],
    model_version: "risk-v3-2026-11",
    cost_usd: 0.000233,
    attempts: 1,
  };
}

async function main(): Promise<number> {
  const queue = createScoreQueue({
    connection: redis,
    prefix,
    keepCompleted: { age: 86_400, count: jobs * 2 },
  });
  progress(`generating ${jobs} synthetic requests…`);
  const requests = scoreRequests({ seed: 61, merchants: testMerchants(61, 20), count: jobs });
  const before = await usedMemory(redis);
  progress(`enqueuing ${jobs} jobs under ${prefix}…`);
  await addInChunks(queue, scoreJobs(requests, Date.now()));
  const waiting = await prefixMemory(redis, prefix);
  progress(`completing them (results of riskq's shape)…`);
  let n = 0;
  const worker = new Worker<unknown, ScoreJobResult>(
    QUEUES.score,
    async (job) => resultOf(job.id ?? "", n++),
    { connection: redis, prefix, concurrency: 500 },
  );
  for (;;) {
    const done = await queue.getCompletedCount();
    if (done >= jobs) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    progress(`${done} of ${jobs} completed`);
  }
  await worker.close();
  const completed = await prefixMemory(redis, prefix);
  const after = await usedMemory(redis);
  const report: RedisMemoryReport = {
    measured_at: new Date().toISOString(),
    machine: machineInfo(),
    jobs,
    keys: completed.keys,
    waiting_bytes: waiting.bytes,
    completed_bytes: completed.bytes,
    bytes_per_completed_job: Math.round(completed.bytes / jobs),
    mib_per_100k_completed: Math.round(((completed.bytes / jobs) * 100_000 * 10) / 1024 / 1024) / 10,
    used_memory_delta_bytes: after - before,
    retention:
      "KEEP_COMPLETED: a day, at most 100 000 completed jobs (packages/pipeline/src/queues/score-queues.ts)",
  };
  await queue.close();
  progress(`\n${formatRedisMemoryReport(report)}`);
  progress(`wrote ${writeReport(REDIS_MEMORY_REPORT, report)}`);
  return 0;
}

async function cleanUp(): Promise<void> {
  await deletePrefix(redis, prefix).catch(() => 0);
  redis.disconnect();
}

process.exit(await runBench(BENCH, main, cleanUp));
