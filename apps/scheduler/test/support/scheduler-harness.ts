import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { type AlipayClient, type AlipayClientOptions, createAlipayClient } from "@riskq/alipay";
import { createMaintenanceQueue, type MaintenanceQueue } from "@riskq/pipeline";
import type { SandboxProcess } from "@riskq/testing";
import { type BuiltKit, type SandboxKitSuite, useSandboxKit } from "@riskq/testing/vitest";
import { Redis } from "ioredis";
import { type DestinationStream, type Logger, pino } from "pino";

/** The model every test pins (live well past the sandbox's t0). */
export const MODEL = "risk-v3-2026-11";
export const TASK = "transaction_anomaly";

/** Logs stay silent unless RISKQ_TEST_LOG names a level (debugging a failing test). */
export const testLogger = pino({ level: process.env.RISKQ_TEST_LOG ?? "silent" });

/** A logger whose JSON lines the test can read (alert events). */
export function memoryLogger(): { logger: Logger; records: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const stream: DestinationStream = { write: (chunk: string) => void lines.push(chunk) };
  return {
    logger: pino({ level: "info" }, stream),
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** One test's scheduler world: Redis prefix, connection, secret key, a clock kept in step with the sandbox. */
export interface SchedulerKit {
  prefix: string;
  connection: Redis;
  secretKey: Buffer;
  /** Virtual time ahead of the wall clock, the same for the sandbox and the client. */
  offsetMs: number;
  now(): number;
  client(overrides?: Partial<AlipayClientOptions>): AlipayClient;
  maintenanceQueue(): MaintenanceQueue;
  /** Moves the sandbox's virtual clock and the client's clock by the same amount. */
  advance(ms: number): Promise<void>;
  /** Registers merchants in the sandbox and onboards them through `client`. */
  onboard(client: AlipayClient, merchantIds: readonly string[]): Promise<void>;
}

export type SchedulerSuite = SandboxKitSuite<SchedulerKit>;

export function useSchedulerKit(): SchedulerSuite {
  return useSandboxKit("useSchedulerKit", (sandbox, redis) => createSchedulerKit(sandbox, redis.prefix), {
    redis: { url: process.env.REDIS_URL },
  });
}

function createSchedulerKit(sandbox: SandboxProcess, prefix: string): BuiltKit<SchedulerKit> {
  const connection = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
    maxRetriesPerRequest: null,
  });
  const closeables: Array<{ close(): Promise<unknown> }> = [{ close: () => connection.quit() }];
  const secretKey = randomBytes(32);
  const k: SchedulerKit = {
    prefix,
    connection,
    secretKey,
    offsetMs: 0,
    now: () => Date.now() + k.offsetMs,
    client: (overrides = {}) =>
      createAlipayClient({
        endpoint: sandbox.url,
        appId: sandbox.appId,
        appPrivateKey: sandbox.appPrivateKey,
        platformPublicKey: sandbox.platformPublicKey,
        redis: connection,
        prefix,
        secretKey,
        logger: testLogger,
        clock: { now: () => k.now() },
        ...overrides,
      }),
    maintenanceQueue: () => {
      const queue = createMaintenanceQueue({ connection, prefix });
      closeables.unshift(queue);
      return queue;
    },
    advance: async (ms) => {
      await sandbox.control.advanceClock(ms);
      k.offsetMs += ms;
    },
    onboard: async (client, merchantIds) => {
      for (const merchantId of merchantIds) {
        const { auth_code } = await sandbox.control.createMerchant(merchantId);
        await client.onboardMerchant(merchantId, auth_code);
      }
    },
  };
  return {
    kit: k,
    teardown: async () => {
      for (const c of closeables) await c.close();
    },
  };
}

/** Variables a developer's shell may set that would change what a child app does in a test. */
const APP_KNOBS =
  /^(SANDBOX_|RISKQ_|ALIPAY_|API_|WORKER_|SCHEDULER_|TOKEN_|KEY_|SHUTDOWN_|ALERT_|DASHBOARD_)|^(LOG_LEVEL|REDIS_URL)$/;

/** The env of a scheduler child process: PATH and friends from ours, riskq's knobs from the test. */
export function schedulerProcessEnv(
  sandbox: Pick<SandboxProcess, "url" | "appId" | "keysDir">,
  kit: Pick<SchedulerKit, "prefix" | "secretKey">,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !APP_KNOBS.test(name)) env[name] = value;
  }
  return {
    ...env,
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    RISKQ_PREFIX: kit.prefix,
    RISKQ_SECRET_KEY: kit.secretKey.toString("base64"),
    ALIPAY_ENDPOINT: sandbox.url,
    ALIPAY_APP_ID: sandbox.appId,
    ALIPAY_APP_PRIVATE_KEY_FILE: join(sandbox.keysDir, "app-private.pem"),
    ALIPAY_PLATFORM_PUBLIC_KEY_FILE: join(sandbox.keysDir, "platform-public.pem"),
    // Several schedulers may run at once (this file's tests, other files'): no fixed metrics port.
    SCHEDULER_METRICS_PORT: "0",
    ...extra,
  };
}
