import { resolve } from "node:path";
import { parseArgs } from "node:util";

/** The flags every bench entry point takes (run-all.ts passes them on). */
export interface BenchArgs {
  /** Measured window per run. */
  seconds: number;
  /** Calls in flight per client process. */
  concurrency: number;
  /** Client processes per run. */
  clients: number;
  /** Where to write V8 CPU profiles of the sandbox (only where the bench offers --cpu-prof). */
  cpuProfDir: string | undefined;
}

/**
 * Reads --seconds (default 5), --concurrency (default 8), --clients (default 2) and, when
 * `cpuProf` is set, --cpu-prof DIR; exits with status 2 on a bad value.
 */
export function parseBenchArgs(bench: string, options: { cpuProf: boolean; args?: string[] }): BenchArgs {
  const { values } = parseArgs({
    ...(options.args === undefined ? {} : { args: options.args }),
    options: {
      seconds: { type: "string", default: "5" },
      concurrency: { type: "string", default: "8" },
      // One client process is CPU-bound by the SDK's signing and crypto-js AES (about 4.5 ms per
      // call), which would hide the server's cost; two keep a 2-core machine busy.
      clients: { type: "string", default: "2" },
      ...(options.cpuProf ? { "cpu-prof": { type: "string" as const } } : {}),
    },
  });
  const positive = (name: string, raw: string | boolean | undefined): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) {
      process.stderr.write(`${bench}: --${name} must be a positive integer, got ${String(raw)}\n`);
      process.exit(2);
    }
    return n;
  };
  const cpuProf = values["cpu-prof"];
  return {
    seconds: positive("seconds", values.seconds),
    concurrency: positive("concurrency", values.concurrency),
    clients: positive("clients", values.clients),
    cpuProfDir: typeof cpuProf === "string" ? resolve(cpuProf) : undefined,
  };
}
