import type { RunResult } from "../harness/measure-run";
import {
  type BenchReportBase,
  type BenchSettings,
  commonNotes,
  headerLines,
  meanOf,
  ratioOf,
  reportBase,
  runTable,
} from "../harness/report";

/** The sandbox must reach this share of the bare server's throughput (the work item's target). */
const SANDBOX_TARGET_RATIO = 0.8;
/** Written to bench/sandbox-speed.json. */
export const SANDBOX_SPEED_REPORT = "sandbox-speed";

export interface SandboxSpeedReport extends BenchReportBase {
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
export function buildSandboxSpeedReport(settings: BenchSettings, runs: RunResult[]): SandboxSpeedReport {
  const bare = runs.filter((r) => r.target.startsWith("bare"));
  const sandbox = runs.find((r) => r.target === "sandbox");
  const bareRate = meanOf(bare.map((r) => r.calls_per_s)) ?? 0;
  const sandboxRate = sandbox?.calls_per_s ?? 0;
  const ratio = ratioOf(sandboxRate, bareRate);
  const report: SandboxSpeedReport = {
    ...reportBase(settings, runs),
    bare_calls_per_s: Math.round(bareRate * 10) / 10,
    sandbox_calls_per_s: sandboxRate,
    ratio,
    target_ratio: SANDBOX_TARGET_RATIO,
    meets_target: ratio >= SANDBOX_TARGET_RATIO,
  };
  const bareCpu = meanOf(bare.map((r) => r.server_cpu_ms_per_call));
  if (bareCpu !== undefined) report.bare_server_cpu_ms_per_call = bareCpu;
  if (sandbox?.server_cpu_ms_per_call !== undefined) {
    report.sandbox_server_cpu_ms_per_call = sandbox.server_cpu_ms_per_call;
  }
  return report;
}

/** The human-readable summary. */
export function formatSandboxSpeedReport(report: SandboxSpeedReport): string {
  const lines = [
    ...headerLines(report),
    "",
    ...runTable(report.runs),
    "",
    `bare server (mean of both runs): ${report.bare_calls_per_s.toFixed(1)} calls/s`,
    `sandbox: ${report.sandbox_calls_per_s.toFixed(1)} calls/s`,
    `ratio sandbox/bare: ${report.ratio.toFixed(3)} (target ≥ ${report.target_ratio}) → ` +
      (report.meets_target ? "meets the target" : "BELOW the target"),
  ];
  const { bare_server_cpu_ms_per_call: bareMs, sandbox_server_cpu_ms_per_call: sandboxMs } = report;
  if (bareMs !== undefined && sandboxMs !== undefined) {
    lines.push(
      `server CPU per call: sandbox ${sandboxMs.toFixed(2)} ms, bare ${bareMs.toFixed(2)} ms` +
        ` → the sandbox's own logic costs ${(sandboxMs - bareMs).toFixed(2)} ms per call`,
    );
  }
  const clientBound =
    report.settings.clients === 1 && report.runs.some((r) => r.client_cpu_pct.some((c) => c >= 85));
  if (clientBound) {
    lines.push(
      "note: the client process was CPU-bound (≥ 85% of a core): the SDK's own signing and crypto-js AES limit" +
        " the rate, which hides the server's cost; use --clients 2 (the default).",
    );
  }
  lines.push(...commonNotes(report.runs));
  return lines.join("\n");
}
