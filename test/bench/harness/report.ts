import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "@riskq/testing";
import type { RunResult } from "./measure-run";

/** The sandbox must reach this share of the bare server's throughput (the work item's target). */
export const TARGET_RATIO = 0.8;
/** Outside CPU use (% of one core) above which a run is flagged as disturbed. */
const DISTURBED_PCT = 15;

export interface BenchSettings {
  seconds: number;
  warmup_s: number;
  concurrency: number;
  clients: number;
  batch_items: number;
  latency_profile: "fast";
}

export interface BenchReport {
  measured_at: string;
  machine: { cpu_model: string; cores: number; node: string; platform: string };
  settings: BenchSettings;
  runs: RunResult[];
  bare_calls_per_s: number;
  sandbox_calls_per_s: number;
  ratio: number;
  /** Server CPU time per call, mean of the bare runs and the sandbox run: what the logic itself costs. */
  bare_server_cpu_ms_per_call?: number;
  sandbox_server_cpu_ms_per_call?: number;
  target_ratio: number;
  meets_target: boolean;
}

/** Bare runs before and after the sandbox run are averaged, to cancel drift (thermal, noisy neighbours). */
export function buildReport(settings: BenchSettings, runs: RunResult[]): BenchReport {
  const bare = runs.filter((r) => r.target.startsWith("bare"));
  const sandbox = runs.find((r) => r.target === "sandbox");
  const bareRate = bare.reduce((sum, r) => sum + r.calls_per_s, 0) / Math.max(1, bare.length);
  const sandboxRate = sandbox?.calls_per_s ?? 0;
  const ratio = bareRate > 0 ? Math.round((sandboxRate / bareRate) * 1000) / 1000 : 0;
  const bareCpu = bare.map((r) => r.server_cpu_ms_per_call).filter((v) => v !== undefined);
  const report: BenchReport = {
    measured_at: new Date().toISOString(),
    machine: {
      cpu_model: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    settings,
    runs,
    bare_calls_per_s: Math.round(bareRate * 10) / 10,
    sandbox_calls_per_s: sandboxRate,
    ratio,
    target_ratio: TARGET_RATIO,
    meets_target: ratio >= TARGET_RATIO,
  };
  if (bareCpu.length > 0) {
    report.bare_server_cpu_ms_per_call =
      Math.round((bareCpu.reduce((a, b) => a + b, 0) / bareCpu.length) * 100) / 100;
  }
  if (sandbox?.server_cpu_ms_per_call !== undefined) {
    report.sandbox_server_cpu_ms_per_call = sandbox.server_cpu_ms_per_call;
  }
  return report;
}

/** The human-readable summary. */
export function formatReport(report: BenchReport): string {
  const pct = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(0)}%`);
  const header = [
    "run",
    "calls/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "client CPU",
    "server CPU",
    "srv ms/call",
    "machine",
  ];
  const rows = report.runs.map((r) => [
    r.target,
    r.calls_per_s.toFixed(1),
    r.p50_ms.toFixed(1),
    r.p99_ms.toFixed(1),
    String(r.errors),
    r.client_cpu_pct.map((c) => pct(c)).join("+"),
    pct(r.server_cpu_pct),
    r.server_cpu_ms_per_call?.toFixed(2) ?? "–",
    pct(r.machine_busy_pct),
    pct(r.other_cpu_pct),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");

  const { machine, settings } = report;
  const clientBound =
    settings.clients === 1 && report.runs.some((r) => r.client_cpu_pct.some((c) => c >= 85));
  const machineBound = report.runs.some((r) => (r.machine_busy_pct ?? 0) >= 90);
  const notes = [
    `${machine.cpu_model}, ${machine.cores} cores, node ${machine.node}`,
    `${settings.clients} client process(es) × ${settings.concurrency} calls in flight, ` +
      `${settings.batch_items}-item encrypted batch/predict, ${settings.warmup_s} s warm-up + ${settings.seconds} s measured`,
    "",
    line(header),
    ...rows.map(line),
    "",
    `bare server (mean of both runs): ${report.bare_calls_per_s.toFixed(1)} calls/s`,
    `sandbox: ${report.sandbox_calls_per_s.toFixed(1)} calls/s`,
    `ratio sandbox/bare: ${report.ratio.toFixed(3)} (target ≥ ${report.target_ratio}) → ` +
      (report.meets_target ? "meets the target" : "BELOW the target"),
  ];
  const { bare_server_cpu_ms_per_call: bareMs, sandbox_server_cpu_ms_per_call: sandboxMs } = report;
  if (bareMs !== undefined && sandboxMs !== undefined) {
    notes.push(
      `server CPU per call: sandbox ${sandboxMs.toFixed(2)} ms, bare ${bareMs.toFixed(2)} ms` +
        ` → the sandbox's own logic costs ${(sandboxMs - bareMs).toFixed(2)} ms per call`,
    );
  }
  if (clientBound) {
    notes.push(
      "note: the client process was CPU-bound (≥ 85% of a core): the SDK's own signing and crypto-js AES limit" +
        " the rate, which hides the server's cost; use --clients 2 (the default).",
    );
  }
  if (machineBound) notes.push("note: all cores were busy: clients and server compete for the same CPUs.");
  const disturbed = report.runs.filter((r) => (r.other_cpu_pct ?? 0) >= DISTURBED_PCT);
  if (disturbed.length > 0) {
    notes.push(
      `note: other processes used ≥ ${DISTURBED_PCT}% of a core during ${disturbed.map((r) => r.target).join(", ")}:` +
        " calls/s are disturbed; 'srv ms/call' (server CPU per call) is the steadier comparison.",
    );
  }
  notes.push(
    "CPU figures are % of one core ('machine' is % of all cores); 'srv ms/call' is server CPU time per completed" +
      " call; 'others' is CPU used meanwhile by processes outside the bench.",
  );
  return notes.join("\n");
}

/** Writes the report to bench/sandbox-speed.json at the repository root; returns the path. */
export function writeReport(report: BenchReport): string {
  const dir = join(REPO_ROOT, "bench");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "sandbox-speed.json");
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}
