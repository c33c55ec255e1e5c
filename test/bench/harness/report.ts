import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "@riskq/testing";
import type { RunResult } from "./measure-run";

/** Outside CPU use (% of one core) above which a run is flagged as disturbed. */
const DISTURBED_PCT = 15;

/** How a bench was run, recorded with its figures. */
export interface BenchSettings {
  seconds: number;
  warmup_s: number;
  concurrency: number;
  clients: number;
  batch_items: number;
  latency_profile: "fast";
}

export interface MachineInfo {
  cpu_model: string;
  cores: number;
  node: string;
  platform: string;
}

/** What every bench report starts with. */
export interface BenchReportBase {
  measured_at: string;
  machine: MachineInfo;
  settings: BenchSettings;
  runs: RunResult[];
}

/** The machine a bench ran on, recorded with its figures. */
export function machineInfo(): MachineInfo {
  return {
    cpu_model: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function reportBase(settings: BenchSettings, runs: RunResult[]): BenchReportBase {
  return {
    measured_at: new Date().toISOString(),
    machine: machineInfo(),
    settings,
    runs,
  };
}

/** Mean of the defined values (two runs of the same kind average out drift); undefined if none. */
export function meanOf(values: ReadonlyArray<number | undefined>): number | undefined {
  const defined = values.filter((v) => v !== undefined);
  if (defined.length === 0) return undefined;
  return Math.round((defined.reduce((a, b) => a + b, 0) / defined.length) * 100) / 100;
}

/** `numerator / denominator` to three decimals; 0 when the denominator is not positive. */
export function ratioOf(numerator: number, denominator: number): number {
  return denominator > 0 ? Math.round((numerator / denominator) * 1000) / 1000 : 0;
}

/** The lines before the table: machine and settings. */
export function headerLines(report: BenchReportBase): string[] {
  const { machine, settings } = report;
  return [
    `${machine.cpu_model}, ${machine.cores} cores, node ${machine.node}`,
    `${settings.clients} client process(es) × ${settings.concurrency} calls in flight, ` +
      `${settings.batch_items}-item encrypted batch/predict, ${settings.warmup_s} s warm-up + ${settings.seconds} s measured`,
  ];
}

/** One row per run: rate, latency, errors and where the CPU went. */
export function runTable(runs: readonly RunResult[]): string[] {
  const pct = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(0)}%`);
  const ms = (v: number | undefined) => v?.toFixed(2) ?? "–";
  const header = [
    "run",
    "calls/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "client CPU",
    "cli ms/call",
    "server CPU",
    "srv ms/call",
    "machine",
    "others",
  ];
  const rows = runs.map((r) => [
    r.target,
    r.calls_per_s.toFixed(1),
    r.p50_ms.toFixed(1),
    r.p99_ms.toFixed(1),
    String(r.errors),
    r.client_cpu_pct.map((c) => pct(c)).join("+"),
    ms(r.client_cpu_ms_per_call),
    pct(r.server_cpu_pct),
    ms(r.server_cpu_ms_per_call),
    pct(r.machine_busy_pct),
    pct(r.other_cpu_pct),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)];
}

/** Warnings every bench shares (busy machine, outside load) and the legend of the table. */
export function commonNotes(runs: readonly RunResult[]): string[] {
  const notes: string[] = [];
  if (runs.some((r) => (r.machine_busy_pct ?? 0) >= 90)) {
    notes.push("note: all cores were busy: clients and server compete for the same CPUs.");
  }
  const disturbed = runs.filter((r) => (r.other_cpu_pct ?? 0) >= DISTURBED_PCT);
  if (disturbed.length > 0) {
    notes.push(
      `note: other processes used ≥ ${DISTURBED_PCT}% of a core during ${disturbed.map((r) => r.target).join(", ")}:` +
        " calls/s are disturbed; the CPU-per-call columns are the steadier comparison.",
    );
  }
  notes.push(
    "CPU figures are % of one core ('machine' is % of all cores); 'cli ms/call' and 'srv ms/call' are the" +
      " clients' and the server's CPU time per completed call; 'others' is CPU used meanwhile by processes" +
      " outside the bench.",
  );
  return notes;
}

/** Writes `bench/<name>.json` at the repository root; returns the path. */
export function writeReport(name: string, report: { measured_at: string }): string {
  const dir = join(REPO_ROOT, "bench");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

/** Reads back a report written by `writeReport` (our own file, hence the cast), if there is one. */
export function readReport<T extends { measured_at: string }>(name: string): T | undefined {
  try {
    return JSON.parse(readFileSync(join(REPO_ROOT, "bench", `${name}.json`), "utf8")) as T;
  } catch {
    return undefined;
  }
}
