import { appRoot, integer, oneOf, port } from "@riskq/config";
import { z } from "zod";

/** The repository root (or the image's app folder), whatever folder the sandbox is started from. */
export const REPO_ROOT = appRoot(import.meta.url);

/** The sandbox's start-up variables (docs/alipay-ai-api.md §10, plus the latency profile that reset restores). */
export const sandboxEnv = z.object({
  SANDBOX_HOST: z.string().default("127.0.0.1"),
  SANDBOX_PORT: port(8787),
  SANDBOX_SEED: integer({ min: 0, max: 2 ** 32 - 1, default: 1 }),
  SANDBOX_APP_ID: z
    .string()
    .regex(/^\d{16}$/, "16 digits")
    .default("2021000000000001"),
  SANDBOX_KEYS_DIR: z.string().min(1).optional(),
  SANDBOX_KEY_LIFETIME_S: integer({ min: 60, max: 30 * 86_400, default: 86_400 }),
  SANDBOX_KEY_GRACE_S: integer({ min: 0, max: 86_400, default: 300 }),
  SANDBOX_TOKEN_TTL_S: integer({ min: 1, max: 86_400, default: 900 }),
  SANDBOX_LATENCY_PROFILE: oneOf(["realistic", "fast"], "realistic"),
});
