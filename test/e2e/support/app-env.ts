import { randomBytes } from "node:crypto";
import { inheritedEnv as inherited, type SandboxProcess, sharedAppEnv as sharedEnv } from "@riskq/testing";

/** The test process's environment minus riskq's own knobs (see @riskq/testing `inheritedEnv`). */
export function inheritedEnv(): Record<string, string> {
  return inherited(process.env);
}

/** A fresh RISKQ_SECRET_KEY (base64 of 32 bytes): the API and every worker of a stack share it. */
export function newSecretKey(): string {
  return randomBytes(32).toString("base64");
}

export interface SharedAppEnv {
  redisUrl: string;
  prefix: string;
  secretKey: string;
  sandbox: Pick<SandboxProcess, "url" | "appId" | "keysDir">;
  logLevel?: string | undefined;
}

/** What the API and the workers both need in a test stack (NODE_ENV=test, warnings only by default). */
export function sharedAppEnv(options: SharedAppEnv): Record<string, string> {
  return {
    ...sharedEnv({ ...options, parent: process.env, nodeEnv: "test", logLevel: options.logLevel ?? "warn" }),
    // A stack runs several workers on one host: each serves /metrics on a port of its own.
    WORKER_METRICS_PORT: "0",
    // The tests' callback receivers listen on 127.0.0.1, which callbacks reach only when opened.
    RISKQ_CALLBACK_ALLOWED_HOSTS: "127.0.0.1",
  };
}
