/**
 * `pnpm bench`: every benchmark in turn — sandbox-speed.ts, then client-overhead.ts — each in its
 * own process, with the same flags (--seconds, --concurrency, --clients; --cpu-prof goes to
 * sandbox-speed only). Their full output streams as they run; both summaries are printed again at
 * the end, read back from the reports they wrote in bench/. Exits non-zero if either bench did.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { REPO_ROOT } from "@riskq/testing";
import { parseBenchArgs } from "./harness/bench-args";
import { type BenchReportBase, readReport } from "./harness/report";
import {
  CLIENT_OVERHEAD_REPORT,
  type ClientOverheadReport,
  formatClientOverheadReport,
} from "./reports/client-overhead";
import {
  formatSandboxSpeedReport,
  SANDBOX_SPEED_REPORT,
  type SandboxSpeedReport,
} from "./reports/sandbox-speed";

const args = parseBenchArgs("bench", { cpuProf: true });
const common = [
  `--seconds=${args.seconds}`,
  `--concurrency=${args.concurrency}`,
  `--clients=${args.clients}`,
];
const benches = [
  {
    script: "sandbox-speed.ts",
    args: args.cpuProfDir === undefined ? common : [...common, `--cpu-prof=${args.cpuProfDir}`],
    summary: () => fresh(readReport<SandboxSpeedReport>(SANDBOX_SPEED_REPORT), formatSandboxSpeedReport),
  },
  {
    script: "client-overhead.ts",
    args: common,
    summary: () =>
      fresh(readReport<ClientOverheadReport>(CLIENT_OVERHEAD_REPORT), formatClientOverheadReport),
  },
];

const startedAt = Date.now();
/** A report's summary if this run wrote it; an older file is no result of this run. */
function fresh<T extends BenchReportBase>(report: T | undefined, format: (r: T) => string): string {
  if (report === undefined || Date.parse(report.measured_at) < startedAt) {
    return "no report from this run (it failed, was interrupted, or was profiling)";
  }
  return format(report);
}

/** Runs one bench script to its end; its Ctrl-C comes from the terminal's process group, as ours does. */
function runScript(script: string, scriptArgs: string[]): Promise<number> {
  const child = spawn(
    join(REPO_ROOT, "node_modules/.bin/tsx"),
    [fileURLToPath(new URL(script, import.meta.url)), ...scriptArgs],
    { cwd: REPO_ROOT, stdio: "inherit" },
  );
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? (signal === "SIGINT" ? 130 : 1)));
  });
}

let interrupted = false;
// The benches stop their own children on Ctrl-C; we only stop starting new ones.
process.on("SIGINT", () => {
  interrupted = true;
});

const statuses: number[] = [];
for (const bench of benches) {
  if (interrupted) break;
  process.stdout.write(`\n=== bench: ${bench.script} ===\n`);
  statuses.push(await runScript(bench.script, bench.args));
}

process.stdout.write("\n=== bench: summaries ===\n");
for (const [i, bench] of benches.entries()) {
  const status = statuses[i];
  const outcome = status === undefined ? "not run" : status === 0 ? "ok" : `exit status ${status}`;
  process.stdout.write(`\n--- ${bench.script} (${outcome}) ---\n${bench.summary()}\n`);
}
process.exit(interrupted ? 130 : (statuses.find((s) => s !== 0) ?? 0));
