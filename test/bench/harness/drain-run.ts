import { setTimeout as sleep } from "node:timers/promises";
import type { ScoreQueue } from "@riskq/pipeline";
import type { ThroughputRun } from "../reports/pipeline";
import { taggedCpuSeconds } from "./cpu-time";
import { addInChunks, type ScoreJobEntry } from "./score-jobs";

/**
 * One timed run of the pipeline bench's part 1: adds every job to the paused queue, then releases
 * them all at once and times them to the last; the CPU the tagged worker process spent on them too.
 */
export async function drainRun(
  target: string,
  queue: ScoreQueue,
  jobs: readonly ScoreJobEntry[],
  cpuTag: string,
  progress: (line: string) => void,
): Promise<ThroughputRun> {
  await queue.pause();
  await addInChunks(queue, jobs);
  const cpuBefore = taggedCpuSeconds(cpuTag);
  const startedAt = performance.now();
  await queue.resume();
  let lastPrint = startedAt;
  for (;;) {
    const counts = await queue.getJobCounts("completed", "failed");
    const ended = (counts.completed ?? 0) + (counts.failed ?? 0);
    if (ended >= jobs.length) break;
    if (performance.now() - startedAt > 300_000)
      throw new Error(`${target}: only ${ended} of ${jobs.length} jobs ended in 300 s`);
    if (performance.now() - lastPrint >= 5_000) {
      lastPrint = performance.now();
      progress(`1. ${target}: ${ended} of ${jobs.length} jobs ended`);
    }
    await sleep(20);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const cpuAfter = taggedCpuSeconds(cpuTag);
  const run: ThroughputRun = {
    target,
    jobs: jobs.length,
    seconds,
    jobs_per_s: Math.round(jobs.length / seconds),
  };
  if (cpuBefore !== undefined && cpuAfter !== undefined) {
    run.worker_cpu_ms_per_1k_jobs = Math.round(((cpuAfter - cpuBefore) * 1_000_000) / jobs.length);
  }
  progress(`1. ${target}: ${run.jobs_per_s} jobs/s (${seconds.toFixed(2)} s)`);
  return run;
}
