import { readdirSync, readFileSync } from "node:fs";

/** The environment variable that marks a bench process, so its CPU time can be found in /proc. */
export const CPU_TAG_ENV = "RISKQ_BENCH_TAG";

// Kernel clock ticks per second for /proc times; 100 on every mainstream Linux build.
const TICKS_PER_S = 100;

/**
 * CPU seconds (user + system) used so far by every process whose environment holds
 * `RISKQ_BENCH_TAG=<tag>` — a launcher and the script it runs inherit the same tag, whatever
 * their pids. Undefined where there is no /proc (then the bench skips server CPU figures).
 */
export function taggedCpuSeconds(tag: string): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const marker = `${CPU_TAG_ENV}=${tag}`;
  let ticks = 0;
  let found = false;
  for (const pid of pids) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(marker)) continue;
      // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
      found = true;
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found ? ticks / TICKS_PER_S : undefined;
}

/** Machine-wide CPU counters (all cores), in ticks; undefined without /proc. */
export interface MachineCpu {
  busy: number;
  total: number;
}

export function machineCpu(): MachineCpu | undefined {
  try {
    const line = readFileSync("/proc/stat", "latin1").split("\n")[0] ?? "";
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user).
    const total = values.slice(0, 8).reduce((sum, v) => sum + v, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Share of all cores that were busy between two readings, in percent. */
export function busyPercent(
  before: MachineCpu | undefined,
  after: MachineCpu | undefined,
): number | undefined {
  if (!before || !after || after.total === before.total) return undefined;
  return ((after.busy - before.busy) / (after.total - before.total)) * 100;
}
