import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface SandboxKeys {
  appPublicKey: string;
  platformPrivateKey: string;
  generated: boolean;
}

const FILES = ["app-private.pem", "app-public.pem", "platform-private.pem", "platform-public.pem"] as const;

/**
 * The dev key pairs (docs/alipay-ai-api.md §10): generated on first start when missing, kept across restarts.
 * Private keys are PKCS#1 (what alipay-sdk expects by default), public keys SPKI.
 */
export function ensureKeysDir(dir: string): SandboxKeys {
  mkdirSync(dir, { recursive: true });
  const missing = FILES.some((f) => !existsSync(join(dir, f)));
  if (missing) {
    for (const who of ["app", "platform"] as const) {
      const pair = generateKeyPairSync("rsa", {
        modulusLength: 2048,
        publicKeyEncoding: { type: "spki", format: "pem" },
        privateKeyEncoding: { type: "pkcs1", format: "pem" },
      });
      writeFileSync(join(dir, `${who}-private.pem`), pair.privateKey, { mode: 0o600 });
      writeFileSync(join(dir, `${who}-public.pem`), pair.publicKey);
    }
  }
  return {
    appPublicKey: readFileSync(join(dir, "app-public.pem"), "utf8"),
    platformPrivateKey: readFileSync(join(dir, "platform-private.pem"), "utf8"),
    generated: missing,
  };
}
