import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@riskq/testing";
import type { ClientOverheadReport } from "../reports/client-overhead";
import {
  PAYMENT_BUDGET_REPORT,
  type PaymentBudgetReport,
  paymentBudgetRows,
} from "../reports/payment-budget";
import type { PipelineReport } from "../reports/pipeline";
import type { RedisMemoryReport } from "../reports/redis-memory";
import type { SandboxSpeedReport } from "../reports/sandbox-speed";
import { readReport } from "./report";

/** One row of the README's benchmark table. */
export interface ResultRow {
  benchmark: string;
  riskq: string;
  baseline: string;
  ratio: string;
  target: string;
  meets: boolean | undefined;
}

/** Every report `pnpm bench` writes, read back from bench/*.json (absent ones are skipped). */
export interface BenchReports {
  sandboxSpeed?: SandboxSpeedReport | undefined;
  clientOverhead?: ClientOverheadReport | undefined;
  pipeline?: PipelineReport | undefined;
  redisMemory?: RedisMemoryReport | undefined;
  paymentBudget?: PaymentBudgetReport | undefined;
  /** Reports of benches added later, as written (each with measured_at and its own fields). */
  others: Record<string, Record<string, unknown>>;
}

const fmt = (n: number, digits = 0) =>
  n
    .toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    .replace(/,/g, " ");
const pct = (share: number, digits = 1) => `${fmt(share * 100, digits)} %`;

/** The table's rows from whatever reports exist. */
function resultRows(reports: BenchReports): ResultRow[] {
  const rows: ResultRow[] = [];
  const s = reports.sandboxSpeed;
  if (s) {
    rows.push({
      benchmark: "sandbox throughput, 50-item encrypted calls",
      riskq: `${fmt(s.sandbox_calls_per_s, 1)} calls/s`,
      baseline: `bare \`node:crypto\` server ${fmt(s.bare_calls_per_s, 1)}`,
      ratio: fmt(s.ratio, 2),
      target: `≥ ${s.target_ratio}`,
      meets: s.meets_target,
    });
  }
  const c = reports.clientOverhead;
  if (c) {
    rows.push({
      benchmark: "client: `scoreBatch` vs raw `alipay-sdk` `curl()`",
      riskq: `${fmt(c.riskq_calls_per_s, 1)} calls/s`,
      baseline: fmt(c.sdk_calls_per_s, 1),
      ratio: fmt(c.ratio, 2),
      target: `≥ ${c.target_ratio}`,
      meets: c.meets_target,
    });
  }
  const p = reports.pipeline;
  if (p?.throughput) {
    const t = p.throughput;
    rows.push({
      benchmark: `pipeline end to end, fast sandbox (${fmt(t.jobs)} jobs, ${fmt(t.items_per_call, 0)} items/call)`,
      riskq: `${fmt(t.riskq_jobs_per_s)} jobs/s`,
      baseline: `bare BullMQ no-op worker ${fmt(t.bare_jobs_per_s)}`,
      ratio: fmt(t.ratio, 2),
      target: `≥ ${t.target_ratio}`,
      meets: t.meets_target,
    });
  }
  if (p?.utilisation) {
    const u = p.utilisation;
    rows.push({
      benchmark: `rate utilisation, ${u.workers} workers never told the limits, realistic latency (${u.seconds} s after ${u.warmup_s} s warm-up)`,
      riskq: `${pct(u.utilisation)} of the batch/predict limit, ${pct(u.throttled_share, 2)} 429s`,
      baseline: "—",
      ratio: "—",
      target: `≥ ${pct(u.target_utilisation, 0)}, ≤ ${pct(u.target_throttled_share)} 429s`,
      meets: u.meets_target,
    });
  }
  for (const l of p?.latency ?? []) {
    rows.push({
      benchmark: `enqueue→result at ${fmt(l.rate_jobs_per_s, 1)} jobs/s (half ${l.basis === "measured" ? "the measured" : "the nominal"} capacity), realistic latency`,
      riskq: `p50 ${fmt(l.p50_ms / 1000, 2)} s, p99 ${fmt(l.p99_ms / 1000, 2)} s`,
      baseline: "—",
      ratio: "—",
      target: `p99 ≤ ${fmt(l.target_p99_ms / 1000, 0)} s`,
      meets: l.meets_target,
    });
  }
  if (reports.paymentBudget) rows.push(...paymentBudgetRows(reports.paymentBudget));
  const m = reports.redisMemory;
  if (m) {
    rows.push({
      benchmark: "Redis memory per 100 000 retained completed jobs",
      riskq: `${fmt(m.mib_per_100k_completed, 1)} MiB (${fmt(m.bytes_per_completed_job)} B per job)`,
      baseline: "—",
      ratio: "—",
      target: "(sizing figure)",
      meets: undefined,
    });
  }
  for (const [name, report] of Object.entries(reports.others)) {
    const row = report.table_row as ResultRow | undefined;
    if (row) rows.push(row);
    else
      rows.push({
        benchmark: name,
        riskq: "see bench/" + name + ".json",
        baseline: "—",
        ratio: "—",
        target: "—",
        meets: undefined,
      });
  }
  return rows;
}

function markdownTable(rows: readonly ResultRow[]): string {
  const verdict = (meets: boolean | undefined) => (meets === undefined ? "" : meets ? " ✓" : " ✗ (not met)");
  return [
    "| benchmark | riskq | baseline | ratio | target |",
    "|---|---|---|---|---|",
    ...rows.map(
      (r) => `| ${r.benchmark} | ${r.riskq} | ${r.baseline} | ${r.ratio} | ${r.target}${verdict(r.meets)} |`,
    ),
  ].join("\n");
}

const START = "<!-- bench-table:start -->";
const END = "<!-- bench-table:end -->";

/**
 * Writes bench/results.json (every report), bench/results.md (the table) and the table into the
 * README between its bench-table markers. Returns the table.
 */
export function publishResults(reports: BenchReports, machine: string): string {
  const table = markdownTable(resultRows(reports));
  const all = {
    written_at: new Date().toISOString(),
    machine,
    sandbox_speed: reports.sandboxSpeed,
    client_overhead: reports.clientOverhead,
    pipeline: reports.pipeline,
    redis_memory: reports.redisMemory,
    payment_budget: reports.paymentBudget,
    ...reports.others,
  };
  writeFileSync(join(REPO_ROOT, "bench/results.json"), `${JSON.stringify(all, null, 2)}\n`);
  const body = `One run of \`pnpm bench\` on ${machine}; each ratio measured side by side in that run.\n\n${table}\n`;
  writeFileSync(join(REPO_ROOT, "bench/results.md"), `# riskq benchmarks\n\n${body}`);
  const readmePath = join(REPO_ROOT, "README.md");
  const readme = readFileSync(readmePath, "utf8");
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from >= 0 && to > from) {
    writeFileSync(readmePath, `${readme.slice(0, from + START.length)}\n${body}${readme.slice(to)}`);
  }
  return table;
}

/** Reads every report pnpm bench knows of from bench/. */
export function readAllReports(otherNames: readonly string[]): BenchReports {
  const others: Record<string, Record<string, unknown>> = {};
  for (const name of otherNames) {
    const report = readReport<{ measured_at: string } & Record<string, unknown>>(name);
    if (report) others[name] = report;
  }
  return {
    sandboxSpeed: readReport<SandboxSpeedReport>("sandbox-speed"),
    clientOverhead: readReport<ClientOverheadReport>("client-overhead"),
    pipeline: readReport<PipelineReport>("pipeline"),
    redisMemory: readReport<RedisMemoryReport>("redis-memory"),
    paymentBudget: readReport<PaymentBudgetReport>(PAYMENT_BUDGET_REPORT),
    others,
  };
}
