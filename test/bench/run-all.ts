/**
 * `pnpm bench`: every benchmark in turn — sandbox-speed.ts, client-overhead.ts, pipeline.ts,
 * payment-budget.ts, redis-memory.ts, idempotency-memory.ts, flatline-detection.ts, then prefilter.ts —
 * each in its own process. The first two get the same flags (--seconds, --concurrency, --clients;
 * --cpu-prof goes to sandbox-speed only); pipeline.ts runs with its defaults (run it directly for
 * its own flags). Their full output streams as they run; every summary is printed again at the
 * end, read back from the reports they wrote in bench/. Exits non-zero if any bench did.
 */
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { REPO_ROOT } from "@riskq/testing";
import { parseBenchArgs } from "./harness/bench-args";
import { readReport } from "./harness/report";
import { publishResults, readAllReports } from "./harness/results-table";
import {
  CLIENT_OVERHEAD_REPORT,
  type ClientOverheadReport,
  formatClientOverheadReport,
} from "./reports/client-overhead";
import {
  formatPaymentBudgetReport,
  PAYMENT_BUDGET_REPORT,
  type PaymentBudgetReport,
} from "./reports/payment-budget";
import { formatPipelineReport, PIPELINE_REPORT, type PipelineReport } from "./reports/pipeline";
import { formatPrefilterReport, PREFILTER_REPORT, type PrefilterReport } from "./reports/prefilter";
import { formatRedisMemoryReport, REDIS_MEMORY_REPORT, type RedisMemoryReport } from "./reports/redis-memory";
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
  {
    script: "pipeline.ts",
    args: [],
    summary: () => fresh(readReport<PipelineReport>(PIPELINE_REPORT), formatPipelineReport),
  },
  {
    script: "payment-budget.ts",
    args: [],
    summary: () => fresh(readReport<PaymentBudgetReport>(PAYMENT_BUDGET_REPORT), formatPaymentBudgetReport),
  },
  {
    script: "redis-memory.ts",
    args: [],
    summary: () => fresh(readReport<RedisMemoryReport>(REDIS_MEMORY_REPORT), formatRedisMemoryReport),
  },
  {
    script: "idempotency-memory.ts",
    args: [],
    summary: () =>
      fresh(
        readReport<{ measured_at: string; table_row: { riskq: string } }>("idempotency-memory"),
        (r) => r.table_row.riskq,
      ),
  },
  {
    script: "flatline-detection.ts",
    args: [],
    summary: () =>
      fresh(
        readReport<{ measured_at: string; table_row: { riskq: string } }>("flatline-detection"),
        (r) => r.table_row.riskq,
      ),
  },
  {
    script: "prefilter.ts",
    args: [],
    summary: () => fresh(readReport<PrefilterReport>(PREFILTER_REPORT), formatPrefilterReport),
  },
];

/** Reports of benches with their own row builder (`table_row` in their JSON). */
const LATER_BENCHES = ["prefilter", "idempotency-memory", "flatline-detection"];

const startedAt = Date.now();
/** A report's summary if this run wrote it; an older file is no result of this run. */
function fresh<T extends { measured_at: string }>(report: T | undefined, format: (r: T) => string): string {
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
if (!interrupted) {
  const machine = `${cpus()[0]?.model ?? "an unknown CPU"} (${cpus().length} cores), Node ${process.versions.node}`;
  const table = publishResults(readAllReports(LATER_BENCHES), machine);
  process.stdout.write(`\n=== bench: results (bench/results.json, bench/results.md, README) ===\n${table}\n`);
}
process.exit(interrupted ? 130 : (statuses.find((s) => s !== 0) ?? 0));
