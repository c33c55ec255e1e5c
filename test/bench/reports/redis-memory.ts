import type { MachineInfo } from "../harness/report";

/** Written to bench/redis-memory.json. */
export const REDIS_MEMORY_REPORT = "redis-memory";

export interface RedisMemoryReport {
  measured_at: string;
  machine: MachineInfo;
  jobs: number;
  /** Keys under the run's prefix once every job completed. */
  keys: number;
  /** MEMORY USAGE of the prefix's keys with every job waiting, then with every job completed. */
  waiting_bytes: number;
  completed_bytes: number;
  bytes_per_completed_job: number;
  mib_per_100k_completed: number;
  /** Redis's used_memory after minus before (includes allocator overhead; noisier). */
  used_memory_delta_bytes: number;
  retention: string;
}

export function formatRedisMemoryReport(r: RedisMemoryReport): string {
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return [
    `Redis memory of ${r.jobs} retained completed jobs (data + result + BullMQ bookkeeping, ${r.keys} keys)`,
    `  all waiting:    ${mib(r.waiting_bytes)}`,
    `  all completed:  ${mib(r.completed_bytes)} → ${r.bytes_per_completed_job} bytes per job, ${r.mib_per_100k_completed} MiB per 100 000`,
    `  used_memory Δ:  ${mib(r.used_memory_delta_bytes)} (allocator overhead included)`,
    `  retention:      ${r.retention}`,
  ].join("\n");
}
