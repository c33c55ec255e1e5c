/**
 * The end-to-end baseline: a bare BullMQ worker on the `score` queue whose processor does nothing.
 * riskq's worker is judged against it (pipeline.ts): what riskq costs beyond this is its own work
 * (validation, batching, the limiter, the Alipay call, results and bookkeeping).
 *
 * Env: REDIS_URL, BENCH_PREFIX, BENCH_CONCURRENCY (as riskq's worker: 200). Prints
 * `{"event":"worker-ready","pid":…}` like riskq's worker; SIGTERM closes it.
 */
import { QUEUES } from "@riskq/contracts";
import { Worker } from "bullmq";
import { Redis } from "ioredis";

const connection = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
  maxRetriesPerRequest: null,
});
const prefix = process.env.BENCH_PREFIX;
if (!prefix) throw new Error("BENCH_PREFIX is required");
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? "200");

const worker = new Worker(QUEUES.score, async () => ({}), { connection, prefix, concurrency });
worker.on("error", (err) => process.stderr.write(`bare worker: ${err.message}\n`));
await worker.waitUntilReady();
process.stdout.write(`${JSON.stringify({ event: "worker-ready", pid: process.pid })}\n`);

process.once("SIGTERM", () => {
  void worker
    .close()
    .then(() => connection.quit())
    .finally(() => process.exit(0));
});
