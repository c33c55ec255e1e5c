import { type AlipayClient, createAlipayClient } from "@riskq/alipay";
import { type SandboxProcess, startSandbox } from "@riskq/testing";
import type { Redis } from "ioredis";
import { pino } from "pino";
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

/** riskq's client for `sandbox`, its tokens and keys under `prefix`, logging warnings only. */
export function benchClient(
  sandbox: SandboxProcess,
  options: { redis: Redis; prefix: string; secretKey: Buffer },
): AlipayClient {
  return createAlipayClient({
    endpoint: sandbox.url,
    appId: sandbox.appId,
    appPrivateKey: sandbox.appPrivateKey,
    platformPublicKey: sandbox.platformPublicKey,
    ...options,
    logger: pino({ level: "warn" }),
  });
}
