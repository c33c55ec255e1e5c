import { type SandboxProcess, startSandbox } from "@riskq/testing";
import { CPU_TAG_ENV } from "./cpu-time";

/** Far above anything the bench reaches: we time the work, not the 429s. */
const UNLIMITED = 100_000;

/**
 * A sandbox with the fast latency profile and its rate limits lifted, tagged so that its CPU time
 * can be found (cpu-time.ts). `env` adds variables, e.g. the CPU profiler's preload.
 */
export async function startBenchSandbox(
  cpuTag: string,
  env: Record<string, string> = {},
): Promise<SandboxProcess> {
  const sandbox = await startSandbox({ latencyProfile: "fast", env: { [CPU_TAG_ENV]: cpuTag, ...env } });
  try {
    await sandbox.control.faults({
      rate_limits: { app_qps: UNLIMITED, app_burst: UNLIMITED, batch_qps: UNLIMITED, batch_burst: UNLIMITED },
    });
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
  return sandbox;
}
