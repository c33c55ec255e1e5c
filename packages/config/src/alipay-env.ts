import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ConfigError } from "./config-error";
import { base64Key } from "./secret-fields";
import { url } from "./text-fields";

// 32 bytes, clearly not a secret: only ever used outside production, with a warning.
const DEV_SECRET_KEY = Buffer.from("riskq-development-only-secret!!!").toString("base64");

/**
 * How apps reach Alipay (docs/architecture.md, "Fixed names and settings"). Key files default to the sandbox's dev keys in
 * `.data/sandbox/` at the repository root, whatever folder the app runs from.
 */
export function alipayEnv(repoRoot: string) {
  const keysDir = join(repoRoot, ".data", "sandbox");
  return z.object({
    // Plain http only reaches the local sandbox: in production the signed calls carry merchant
    // tokens, and the AES keys ride in them, so the endpoint must be https.
    ALIPAY_ENDPOINT: url("http://127.0.0.1:8787", { productionProtocols: ["https:"] }),
    ALIPAY_APP_ID: z
      .string()
      .regex(/^\d{16}$/, "16 digits")
      .default("2021000000000001"),
    ALIPAY_APP_PRIVATE_KEY_FILE: z.string().min(1).default(join(keysDir, "app-private.pem")),
    ALIPAY_PLATFORM_PUBLIC_KEY_FILE: z.string().min(1).default(join(keysDir, "platform-public.pem")),
    RISKQ_SECRET_KEY: base64Key(32, {
      devDefault: DEV_SECRET_KEY,
      describe: "base64 of 32 random bytes; encrypts merchant tokens and AES keys at rest",
    }),
  });
}

/** The parsed Alipay variables. */
export type AlipayEnv = z.output<ReturnType<typeof alipayEnv>>;

/**
 * What an app hands `createAlipayClient`: the parsed variables with both key files read. Throws a
 * ConfigError naming the variable when a key file is missing or not PEM.
 */
export function alipayClientConfig(env: AlipayEnv) {
  return {
    endpoint: env.ALIPAY_ENDPOINT,
    appId: env.ALIPAY_APP_ID,
    appPrivateKey: readPemFile("ALIPAY_APP_PRIVATE_KEY_FILE", env.ALIPAY_APP_PRIVATE_KEY_FILE),
    platformPublicKey: readPemFile("ALIPAY_PLATFORM_PUBLIC_KEY_FILE", env.ALIPAY_PLATFORM_PUBLIC_KEY_FILE),
    secretKey: env.RISKQ_SECRET_KEY,
  };
}

/** Reads a PEM file named by a variable; a missing file stops start-up with what to do about it. */
export function readPemFile(variable: string, path: string): string {
  try {
    const pem = readFileSync(path, "utf8").trim();
    if (!pem.includes("-----BEGIN")) throw new Error("not a PEM file");
    return pem;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ConfigError(
      variable,
      `${variable} must name a readable PEM key file (${path}: ${why}); for the sandbox's dev keys run \`pnpm sandbox\` once`,
    );
  }
}
