/**
 * riskq end to end: API-less, straight into the `score` queue, worker processes against a sandbox
 * (part of `pnpm bench`). Three figures, printed, never asserted:
 *
 * 1. jobs/s — N jobs (--jobs, default 20 000) added in bulk to a paused queue, then released to one
 *    riskq worker process as the image runs it (the production bundle under plain node, from a
 *    folder laid out like the image's /app; fast sandbox, limits lifted, ALIPAY_INITIAL_RATE
 *    high), against a bare BullMQ no-op worker of the same concurrency on the same Redis in the
 *    same run: both warmed up, then alternating (bare, riskq, bare, riskq, bare), each side's mean.
 *    Target ratio ≥ 0.6.
 * 2. rate utilisation — three workers, BATCH_CAP 10, the sandbox's default limits (batch/predict
 *    10/s) and realistic latency, never told the limits: accepted batch calls/s and the share of
 *    429s after a warm-up (--utilisation-seconds, default 140 in all, a third of it warm-up, at most
 *    20 s). Targets ≥ 95% of 10/s and ≤ 0.1% 429s.
 * 3. enqueue→result latency — the same workers, jobs offered for --latency-seconds (default 20)
 *    at half the jobs/s measured in 2, then at half the nominal capacity (10 calls/s × BATCH_CAP),
 *    or only at --latency-rate: p50/p99 of finishedOn − timestamp. Target p99 ≤ 2 s.
 *
 * Writes bench/pipeline.json at the repository root. Needs Redis at REDIS_URL (default
 * redis://127.0.0.1:6379); every run's keys live under fresh prefixes, deleted at the end.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { createScoreQueue, type ScoreQueue } from "@riskq/pipeline";
import { type AppProcess, startAppProcess } from "@riskq/testing";
import { inheritedEnv } from "../e2e/support/app-env";
import { ledgerWindow } from "../e2e/support/ledger-window";
import { limiterState } from "../e2e/support/limiter-state";
import { scoreRequests, testMerchants } from "../e2e/support/score-traffic";
import { type Stack, startStack } from "../e2e/support/stack";
import { type ImageDir, prepareImageDir } from "../image/support/image-dir";
import { runBench } from "./harness/bench-lifecycle";
import { CPU_TAG_ENV } from "./harness/cpu-time";
import { drainRun } from "./harness/drain-run";
import { parsePipelineFlags } from "./harness/pipeline-flags";
import { deletePrefix, newBenchPrefix } from "./harness/redis-prefix";
import { machineInfo, writeReport } from "./harness/report";
import { addInChunks, percentile, scoreJobs } from "./harness/score-jobs";
import {
  formatPipelineReport,
  type LatencyResult,
  P99_TARGET_MS,
  PIPELINE_REPORT,
  type PipelineReport,
  THROTTLED_TARGET,
  THROUGHPUT_TARGET_RATIO,
  type ThroughputResult,
  type ThroughputRun,
  UTILISATION_TARGET,
  type UtilisationResult,
} from "./reports/pipeline";

const BENCH = "pipeline";
const UNLIMITED = { app_qps: 100_000, app_burst: 100_000, batch_qps: 100_000, batch_burst: 100_000 };
/** The sandbox's default batch/predict limit (docs/alipay-ai-api.md §7). */
const BATCH_LIMIT_PER_S = 10;
/** Jobs in flight per worker, riskq (its default) and bare alike: full batches for 5 merchants. */
const WORKER_CONCURRENCY = 1000;
const UTILISATION_WORKERS = 3;
const UTILISATION_BATCH_CAP = 10;
/**
 * Jobs in flight per worker in parts 2 and 3: plenty for 10 calls/s of 10 items at ~0.5 s each,
 * and few enough that what part 2 leaves in flight clears quickly before part 3 starts.
 */
const UTILISATION_CONCURRENCY = 50;
const MERCHANTS = 5;

const args = parsePipelineFlags(BENCH);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const progress = (line: string) => process.stdout.write(`${BENCH}: ${line}\n`);
const live: {
  stacks: Stack[];
  bare: AppProcess | undefined;
  bareQueue: ScoreQueue | undefined;
  barePrefix: string;
  image: ImageDir | undefined;
} = {
  stacks: [],
  bare: undefined,
  bareQueue: undefined,
  barePrefix: newBenchPrefix(),
  image: undefined,
};

async function main(): Promise<number> {
  const report: PipelineReport = { measured_at: new Date().toISOString(), machine: machineInfo() };
  if (args.parts.has(1)) {
    report.throughput = await throughputPart();
    progress(`wrote ${writeReport(PIPELINE_REPORT, report)} (part 1)`);
  }
  if (!args.parts.has(2) && !args.parts.has(3)) return 0;
  const stack = await startUtilisationStack();
  if (args.parts.has(2)) report.utilisation = await utilisationPart(stack);
  const nominal = BATCH_LIMIT_PER_S * UTILISATION_BATCH_CAP;
  const loads: Array<{ basis: LatencyResult["basis"]; rate: number }> =
    args.latencyRate === undefined
      ? [
          ...(report.utilisation
            ? [{ basis: "measured" as const, rate: Math.max(1, report.utilisation.jobs_per_s / 2) }]
            : []),
          { basis: "nominal", rate: nominal / 2 },
        ]
      : [{ basis: "flag", rate: args.latencyRate }];
  report.latency = [];
  if (args.parts.has(3))
    for (const [i, load] of loads.entries()) report.latency.push(await latencyPart(stack, load, 53 + i));
  report.measured_at = new Date().toISOString();
  progress(`\n${formatPipelineReport(report)}`);
  progress(`wrote ${writeReport(PIPELINE_REPORT, report)}`);
  return 0;
}

// ── 1. end-to-end jobs/s ────────────────────────────────────────────────────────────────────────

async function throughputPart(): Promise<ThroughputResult> {
  const riskqTag = `riskq-${randomUUID()}`;
  const bareTag = `bare-${randomUUID()}`;
  // What ships is measured: the image runs `node dist/worker.mjs`, not the source through tsx.
  progress("1. building the production bundle and its folder (as the image's /app)…");
  live.image = await prepareImageDir();
  progress("1. starting a fast sandbox and one riskq worker (limits lifted)…");
  const stack = await startStack({
    workers: 1,
    api: false,
    workerBundle: { script: live.image.bundle("worker"), cwd: live.image.dir },
    workerEnv: {
      ALIPAY_INITIAL_RATE: "1000",
      WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
      [CPU_TAG_ENV]: riskqTag,
    },
    sandbox: { latencyProfile: "fast", seed: 51 },
  });
  live.stacks.push(stack);
  await stack.sandbox.control.faults({ rate_limits: UNLIMITED });
  const merchants = testMerchants(51, MERCHANTS);
  await stack.onboardMerchants(merchants.map((m) => m.merchant_id));

  const { redis } = stack.testRedis;
  live.bareQueue = createScoreQueue({ connection: redis, prefix: live.barePrefix });
  live.bare = await startAppProcess({
    name: "bare worker",
    script: "test/bench/harness/bare-worker.ts",
    env: {
      ...inheritedEnv(),
      REDIS_URL: redisUrl,
      BENCH_PREFIX: live.barePrefix,
      BENCH_CONCURRENCY: String(WORKER_CONCURRENCY),
      [CPU_TAG_ENV]: bareTag,
    },
    readyEvent: "worker-ready",
  });
  const jobs = scoreJobs(scoreRequests({ seed: 51, merchants, count: args.jobs }), Date.now());
  progress(`1. ${jobs.length} jobs per run`);

  // Both sides warm up first (JIT, connections, riskq's token and AES key), unmeasured; then they
  // alternate — bare, riskq, bare, riskq, bare — so drift on a shared machine hits both alike.
  const warmup = jobs.slice(0, Math.min(jobs.length, 2_000));
  await drainRun("bare BullMQ (warm-up)", live.bareQueue, warmup, bareTag, progress);
  await live.bareQueue.obliterate({ force: true });
  await drainRun("riskq (warm-up)", stack.scoreQueue, warmup, riskqTag, progress);
  await stack.scoreQueue.obliterate({ force: true });
  const runs: ThroughputRun[] = [];
  let window: ReturnType<typeof ledgerWindow> | undefined;
  for (const [i, side] of (["bare", "riskq", "bare", "riskq", "bare"] as const).entries()) {
    const n = Math.floor(i / 2) + 1;
    if (side === "bare") {
      runs.push(await drainRun(`bare BullMQ (${n})`, live.bareQueue, jobs, bareTag, progress));
      await live.bareQueue.obliterate({ force: true });
    } else {
      const before = await stack.sandbox.control.ledger();
      const run = await drainRun(`riskq (${n})`, stack.scoreQueue, jobs, riskqTag, progress);
      window ??= ledgerWindow(before, await stack.sandbox.control.ledger(), run.seconds);
      runs.push(run);
      await stack.scoreQueue.obliterate({ force: true });
    }
  }

  await live.bare.stop(3_000);
  live.bare = undefined;
  await closeBareQueue();
  await stack.stop();
  live.image.remove();
  live.image = undefined;
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const bareRate = mean(runs.filter((r) => r.target.startsWith("bare")).map((r) => r.jobs_per_s));
  const riskqRate = mean(runs.filter((r) => r.target.startsWith("riskq")).map((r) => r.jobs_per_s));
  const ratio = bareRate > 0 ? riskqRate / bareRate : 0;
  return {
    jobs: jobs.length,
    merchants: MERCHANTS,
    runs,
    riskq_jobs_per_s: Math.round(riskqRate),
    bare_jobs_per_s: Math.round(bareRate),
    ratio: Math.round(ratio * 1000) / 1000,
    target_ratio: THROUGHPUT_TARGET_RATIO,
    meets_target: ratio >= THROUGHPUT_TARGET_RATIO,
    calls: window?.scoringCalls ?? 0,
    items_per_call: window && window.scoringCalls > 0 ? window.items / window.scoringCalls : 0,
  };
}

// ── 2. rate utilisation at the default limits ───────────────────────────────────────────────────

async function startUtilisationStack(): Promise<Stack> {
  progress(`2. starting a sandbox (default limits, realistic latency) and ${UTILISATION_WORKERS} workers…`);
  const stack = await startStack({
    workers: UTILISATION_WORKERS,
    api: false,
    workerEnv: {
      BATCH_CAP: String(UTILISATION_BATCH_CAP),
      WORKER_CONCURRENCY: String(UTILISATION_CONCURRENCY),
    },
    sandbox: { latencyProfile: "realistic", seed: 52 },
  });
  live.stacks.push(stack);
  await stack.onboardMerchants(testMerchants(52, MERCHANTS).map((m) => m.merchant_id));
  return stack;
}

async function utilisationPart(stack: Stack): Promise<UtilisationResult> {
  const total = args.utilisationSeconds;
  const warmupS = Math.min(20, Math.round(total / 3));
  const measureS = total - warmupS;
  // Enough for full batches at the limit for the whole run, so the workers never run dry.
  const count = Math.ceil(total * BATCH_LIMIT_PER_S * UTILISATION_BATCH_CAP * 1.2);
  const merchants = testMerchants(52, MERCHANTS);
  await addInChunks(stack.scoreQueue, scoreJobs(scoreRequests({ seed: 52, merchants, count }), Date.now()));
  progress(`2. ${count} jobs enqueued; ${warmupS} s warm-up, then ${measureS} s measured`);
  await sleepWithProgress(warmupS, "2. warm-up", stack);
  const warm = await stack.sandbox.control.ledger();
  const completedBefore = await stack.scoreQueue.getCompletedCount();
  const from = performance.now();
  await sleepWithProgress(measureS, "2. measuring", stack);
  const end = await stack.sandbox.control.ledger();
  const seconds = (performance.now() - from) / 1000;
  const completed = (await stack.scoreQueue.getCompletedCount()) - completedBefore;
  const window = ledgerWindow(warm, end, seconds);
  const accepted = window.scoringCalls - window.throttled;
  const limiter = await limiterState(stack.testRedis.redis, stack.prefix);
  progress(`2. at the end: ${limiter}`);
  const utilisation = window.acceptedScoringPerS / BATCH_LIMIT_PER_S;
  return {
    workers: UTILISATION_WORKERS,
    batch_cap: UTILISATION_BATCH_CAP,
    seconds: Math.round(seconds),
    warmup_s: warmupS,
    batch_limit_per_s: BATCH_LIMIT_PER_S,
    batch_calls_per_s: round2(window.acceptedScoringPerS),
    utilisation: round3(utilisation),
    throttled_share: Math.round(window.throttledShare * 10_000) / 10_000,
    jobs_per_s: round2(completed / seconds),
    items_per_call: accepted > 0 ? round2(window.items / accepted) : 0,
    limiter,
    target_utilisation: UTILISATION_TARGET,
    target_throttled_share: THROTTLED_TARGET,
    meets_target: utilisation >= UTILISATION_TARGET && window.throttledShare <= THROTTLED_TARGET,
  };
}

async function sleepWithProgress(seconds: number, label: string, stack: Stack): Promise<void> {
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    await sleep(Math.min(10_000, until - performance.now()));
    const ledger = await stack.sandbox.control.ledger();
    progress(
      `${label}: sandbox answered ${ledger.calls} calls so far (${ledger.by_status["429"] ?? 0} × 429)`,
    );
  }
}

// ── 3. enqueue→result latency at half capacity ──────────────────────────────────────────────────

async function latencyPart(
  stack: Stack,
  load: { basis: LatencyResult["basis"]; rate: number },
  seed: number,
): Promise<LatencyResult> {
  const queue = stack.scoreQueue;
  // What the previous part left waiting would queue ahead of every new job: drop it, let the active ones end.
  await queue.drain(true);
  const idleBy = Date.now() + 60_000;
  let active = await queue.getActiveCount();
  progress(`3. waiting for the ${active} jobs the previous part left in flight…`);
  while (active > 0 && Date.now() < idleBy) {
    await sleep(200);
    active = await queue.getActiveCount();
  }
  await queue.drain(true);
  if (active > 0)
    progress(
      `3. warning: ${active} jobs of the previous part still in flight; they queue ahead of the new ones`,
    );

  const { rate } = load;
  const count = Math.ceil(rate * args.latencySeconds);
  const merchants = testMerchants(52, MERCHANTS);
  const requests = scoreRequests({ seed, merchants, count });
  progress(`3. offering ${rate.toFixed(1)} jobs/s for ${args.latencySeconds} s (${count} jobs)…`);
  const ids: string[] = [];
  const startedAt = performance.now();
  while (ids.length < count) {
    const due = Math.min(count, Math.floor(((performance.now() - startedAt) / 1000) * rate) + 1);
    if (due > ids.length) {
      const jobs = scoreJobs(requests.slice(ids.length, due), Date.now());
      await queue.addBulk(jobs);
      ids.push(...jobs.map((j) => j.opts.jobId));
    }
    await sleep(50);
  }
  // Let the last jobs finish (bounded: an overloaded pipeline is reported, not waited for).
  const drainBy = Date.now() + 15_000;
  let pending = ids.length;
  while (Date.now() < drainBy) {
    const states = await Promise.all(ids.slice(-200).map((id) => queue.getJobState(id)));
    pending = states.filter((s) => s !== "completed" && s !== "failed").length;
    if (pending === 0) break;
    await sleep(250);
  }
  const latencies: number[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const jobs = await Promise.all(ids.slice(i, i + 500).map((id) => queue.getJob(id)));
    for (const job of jobs) {
      if (job?.finishedOn && job.returnvalue) latencies.push(job.finishedOn - job.timestamp);
    }
  }
  latencies.sort((a, b) => a - b);
  const p99 = percentile(latencies, 0.99);
  progress(
    `3. ${latencies.length} of ${ids.length} completed: p50 ${percentile(latencies, 0.5)} ms, p99 ${p99} ms`,
  );
  return {
    basis: load.basis,
    rate_jobs_per_s: round2(rate),
    nominal_capacity_jobs_per_s: BATCH_LIMIT_PER_S * UTILISATION_BATCH_CAP,
    seconds: args.latencySeconds,
    jobs: ids.length,
    completed: latencies.length,
    p50_ms: percentile(latencies, 0.5),
    p99_ms: p99,
    max_ms: latencies.at(-1) ?? Number.NaN,
    target_p99_ms: P99_TARGET_MS,
    // A job still unfinished at the end is later than any percentile: the target is then missed.
    meets_target: latencies.length === ids.length && p99 <= P99_TARGET_MS,
  };
}

// ── plumbing ────────────────────────────────────────────────────────────────────────────────────

const round2 = (v: number) => Math.round(v * 100) / 100;
const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** Deletes the bare worker's keys through part 1's connection, before that stack closes it. */
async function closeBareQueue(): Promise<void> {
  const queue = live.bareQueue;
  live.bareQueue = undefined;
  if (!queue) return;
  await queue.close().catch(() => {});
  const redis = live.stacks[0]?.testRedis.redis;
  if (redis?.status === "ready") await deletePrefix(redis, live.barePrefix).catch(() => 0);
}

async function cleanUp(): Promise<void> {
  if (live.bare) await live.bare.stop(3_000);
  await closeBareQueue();
  await Promise.allSettled(live.stacks.map((s) => s.stop()));
  live.image?.remove();
}

process.exit(await runBench(BENCH, main, cleanUp));
