import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import {
  CLIENT_CONFIG_ENV,
  type ClientConfig,
  type ClientReady,
  type ClientResult,
  type ClientSettings,
  percentile,
} from "./client-protocol";
import { busyPercent, CPU_TAG_ENV, machineCpu, taggedCpuSeconds } from "./cpu-time";
import { ScriptProcess } from "./script-process";

const CLIENT_SCRIPT = fileURLToPath(new URL("./client.ts", import.meta.url));
/** Lead time between "all clients ready" and the common start, so every client hears it first. */
const START_LEAD_MS = 200;
const READY_TIMEOUT_MS = 30_000;

/** One measured run: the clients' figures added up, plus CPU shares over the same window. */
export interface RunResult {
  target: string;
  clients: number;
  calls: number;
  errors: number;
  seconds: number;
  calls_per_s: number;
  p50_ms: number;
  p99_ms: number;
  /** Per client process, % of one core. */
  client_cpu_pct: number[];
  /** All client processes' CPU time per successful call: what calling costs on the client side. */
  client_cpu_ms_per_call?: number;
  /** The server process (launcher included), % of one core; absent without /proc. */
  server_cpu_pct?: number;
  /** Server CPU time per successful call. */
  server_cpu_ms_per_call?: number;
  /** All cores together, % of the machine. */
  machine_busy_pct?: number;
  /**
   * CPU used meanwhile by processes outside the bench (% of one core): anything much above zero
   * means the figures were disturbed by other work on the machine.
   */
  other_cpu_pct?: number;
  first_error?: string;
}

export interface RunSpec {
  target: string;
  /** The server's CPU tag (cpu-time.ts). */
  serverTag: string;
  /** Client config without the per-client seed. */
  client: ClientSettings;
  clients: number;
  /** Distinct per run and client, so item ids never repeat across runs. */
  seedBase: number;
  progress: (line: string) => void;
}

/** Starts the clients, lets them warm up together, and measures one common window. */
export async function measureRun(spec: RunSpec): Promise<RunResult> {
  const { client, clients: count } = spec;
  const clients = Array.from(
    { length: count },
    (_, i) =>
      new ScriptProcess(`bench client ${i + 1}`, CLIENT_SCRIPT, {
        [CLIENT_CONFIG_ENV]: JSON.stringify({ ...client, seed: spec.seedBase + i } satisfies ClientConfig),
        [CPU_TAG_ENV]: `${spec.serverTag}-client-${i}`,
      }),
  );
  try {
    await Promise.all(clients.map((c) => c.next<ClientReady>(READY_TIMEOUT_MS)));
    const startAt = Date.now() + START_LEAD_MS;
    for (const c of clients) c.send({ start_at: startAt });
    spec.progress(`bench: warming up ${spec.target} (${client.warmupMs / 1000} s)…`);

    const windowStart = startAt + client.warmupMs;
    const windowEnd = windowStart + client.measureMs;
    const results = Promise.all(
      clients.map((c) => c.next<ClientResult>(client.warmupMs + client.measureMs + 30_000)),
    );
    // Awaited below; a client dying during the window must not count as an unhandled rejection meanwhile.
    results.catch(() => {});

    await sleepUntil(windowStart);
    spec.progress(`bench: measuring ${spec.target} for ${client.measureMs / 1000} s…`);
    const cpu0 = taggedCpuSeconds(spec.serverTag);
    const machine0 = machineCpu();
    const wall0 = Date.now();
    await sleepUntil(windowEnd);
    const cpu1 = taggedCpuSeconds(spec.serverTag);
    const machine1 = machineCpu();
    const wallS = (Date.now() - wall0) / 1000;

    return combine(spec.target, await results, {
      serverCpuS: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0,
      wallS,
      machineBusyPct: busyPercent(machine0, machine1),
    });
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
  }
}

function combine(
  target: string,
  results: ClientResult[],
  cpu: { serverCpuS: number | undefined; wallS: number; machineBusyPct: number | undefined },
): RunResult {
  const latencies = results.flatMap((r) => r.latencies_ms).sort((a, b) => a - b);
  const calls = results.reduce((sum, r) => sum + r.calls, 0);
  const seconds = results[0]?.seconds ?? 0;
  const run: RunResult = {
    target,
    clients: results.length,
    calls,
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    seconds,
    calls_per_s: round1(seconds > 0 ? calls / seconds : 0),
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    client_cpu_pct: results.map((r) => r.cpu_pct),
  };
  const clientCpuPct = run.client_cpu_pct.reduce((sum, c) => sum + c, 0);
  // Each client measured its own CPU over the same window the calls were counted in.
  if (calls > 0) run.client_cpu_ms_per_call = round2((clientCpuPct / 100) * ((seconds * 1000) / calls));
  if (cpu.serverCpuS !== undefined) {
    run.server_cpu_pct = round1((cpu.serverCpuS / cpu.wallS) * 100);
    if (calls > 0) run.server_cpu_ms_per_call = round2((cpu.serverCpuS * 1000) / calls);
  }
  if (cpu.machineBusyPct !== undefined) {
    run.machine_busy_pct = round1(cpu.machineBusyPct);
    if (run.server_cpu_pct !== undefined) {
      const ours = run.server_cpu_pct + clientCpuPct;
      run.other_cpu_pct = round1(Math.max(0, cpu.machineBusyPct * availableParallelism() - ours));
    }
  }
  const firstError = results.find((r) => r.first_error !== undefined)?.first_error;
  if (firstError !== undefined) run.first_error = firstError;
  return run;
}

function sleepUntil(epochMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
