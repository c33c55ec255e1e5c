import { type AlipayClient, AlipayError, createAlipayClient } from "@riskq/alipay";
import { createLogger } from "@riskq/observability";
import type { Redis } from "ioredis";
import { CliError } from "../cli-errors";
import type { AlipayConfig } from "../config";
import type { Io } from "../io";

/** The Alipay client on the CLI's Redis connection; its log lines go to stderr, never stdout. */
export function openAlipay(config: AlipayConfig, redis: Redis, io: Io): AlipayClient {
  return createAlipayClient({
    ...config.client,
    redis,
    prefix: config.RISKQ_PREFIX,
    logger: createLogger({ name: "riskq-cli", level: config.LOG_LEVEL, destination: io.stderr }),
  });
}

/** Runs a call that reaches Alipay, turning its errors into one line with advice. */
export async function callAlipay<T>(config: AlipayConfig, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof AlipayError)) throw error;
    throw new CliError(
      `Alipay at ${config.ALIPAY_ENDPOINT} failed (${error.code}): ${error.message}; check ALIPAY_ENDPOINT and the key files (for the sandbox: \`pnpm sandbox\`)`,
      `alipay_${error.code}`,
    );
  }
}
