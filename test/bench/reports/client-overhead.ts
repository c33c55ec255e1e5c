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

/** riskq's client must keep this share of the raw SDK's throughput: its checks may cost, but little. */
const CLIENT_TARGET_RATIO = 0.9;
/** Written to bench/client-overhead.json. */
export const CLIENT_OVERHEAD_REPORT = "client-overhead";

export interface ClientOverheadReport extends BenchReportBase {
  sdk_calls_per_s: number;
  riskq_calls_per_s: number;
  ratio: number;
  target_ratio: number;
  meets_target: boolean;
  /** All clients' CPU time per call, mean of the sdk runs and the riskq run: the steadier figure. */
  sdk_client_cpu_ms_per_call?: number;
  riskq_client_cpu_ms_per_call?: number;
  sdk_server_cpu_ms_per_call?: number;
  riskq_server_cpu_ms_per_call?: number;
}

/** The sdk runs before and after the riskq run are averaged, to cancel drift. */
export function buildClientOverheadReport(settings: BenchSettings, runs: RunResult[]): ClientOverheadReport {
  const sdk = runs.filter((r) => r.target.startsWith("sdk"));
  const riskq = runs.find((r) => r.target === "riskq");
  const sdkRate = meanOf(sdk.map((r) => r.calls_per_s)) ?? 0;
  const riskqRate = riskq?.calls_per_s ?? 0;
  const ratio = ratioOf(riskqRate, sdkRate);
  const report: ClientOverheadReport = {
    ...reportBase(settings, runs),
    sdk_calls_per_s: Math.round(sdkRate * 10) / 10,
    riskq_calls_per_s: riskqRate,
    ratio,
    target_ratio: CLIENT_TARGET_RATIO,
    meets_target: ratio >= CLIENT_TARGET_RATIO,
  };
  const optional = {
    sdk_client_cpu_ms_per_call: meanOf(sdk.map((r) => r.client_cpu_ms_per_call)),
    riskq_client_cpu_ms_per_call: riskq?.client_cpu_ms_per_call,
    sdk_server_cpu_ms_per_call: meanOf(sdk.map((r) => r.server_cpu_ms_per_call)),
    riskq_server_cpu_ms_per_call: riskq?.server_cpu_ms_per_call,
  };
  for (const [field, value] of Object.entries(optional) as [keyof typeof optional, number | undefined][]) {
    if (value !== undefined) report[field] = value;
  }
  return report;
}

/** The human-readable summary. */
export function formatClientOverheadReport(report: ClientOverheadReport): string {
  const lines = [
    ...headerLines(report),
    "",
    ...runTable(report.runs),
    "",
    `sdk (raw alipay-sdk curl, mean of both runs): ${report.sdk_calls_per_s.toFixed(1)} calls/s`,
    `riskq (createAlipayClient().scoreBatch): ${report.riskq_calls_per_s.toFixed(1)} calls/s`,
    `ratio riskq/sdk: ${report.ratio.toFixed(3)} (target ≥ ${report.target_ratio}) → ` +
      (report.meets_target ? "meets the target" : "BELOW the target"),
  ];
  const { sdk_client_cpu_ms_per_call: sdkMs, riskq_client_cpu_ms_per_call: riskqMs } = report;
  if (sdkMs !== undefined && riskqMs !== undefined) {
    const change = sdkMs > 0 ? ((riskqMs - sdkMs) / sdkMs) * 100 : 0;
    lines.push(
      `client CPU per call: riskq ${riskqMs.toFixed(2)} ms, sdk ${sdkMs.toFixed(2)} ms` +
        ` → riskq costs ${Math.abs(change).toFixed(0)}% ${change <= 0 ? "less" : "more"} client CPU per call`,
    );
  }
  const { sdk_server_cpu_ms_per_call: sdkSrv, riskq_server_cpu_ms_per_call: riskqSrv } = report;
  if (sdkSrv !== undefined && riskqSrv !== undefined) {
    lines.push(`sandbox CPU per call: riskq ${riskqSrv.toFixed(2)} ms, sdk ${sdkSrv.toFixed(2)} ms`);
  }
  lines.push(
    "note: the riskq client reads its merchant token from Redis on every call (AES keys are cached per" +
      " process); Redis's own CPU for that counts under 'others', not under the clients' CPU.",
    ...commonNotes(report.runs),
  );
  return lines.join("\n");
}
