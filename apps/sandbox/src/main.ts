import { isAbsolute, join, resolve } from "node:path";
import { configOrExit } from "@riskq/config";
import { announceReady, stopOnSignals } from "@riskq/lifecycle";
import { REPO_ROOT, sandboxEnv } from "./config";
import { createSandboxServer } from "./http/server";
import { ensureKeysDir } from "./keys-dir";
import { SandboxState } from "./sandbox-state";

// The only file of the sandbox that reads process.env.
const env = configOrExit(sandboxEnv, process.env);
// Relative paths are taken from where the user typed the command (pnpm runs scripts elsewhere).
const keysDir = env.SANDBOX_KEYS_DIR
  ? isAbsolute(env.SANDBOX_KEYS_DIR)
    ? env.SANDBOX_KEYS_DIR
    : resolve(process.env.INIT_CWD ?? process.cwd(), env.SANDBOX_KEYS_DIR)
  : join(REPO_ROOT, ".data", "sandbox");

const keys = ensureKeysDir(keysDir);
if (keys.generated) {
  process.stderr.write(
    `sandbox: generated development key pairs in ${keysDir}\n` +
      `sandbox: configure a client with app id ${env.SANDBOX_APP_ID}, ` +
      `ALIPAY_APP_PRIVATE_KEY_FILE=${join(keysDir, "app-private.pem")} and ` +
      `ALIPAY_PLATFORM_PUBLIC_KEY_FILE=${join(keysDir, "platform-public.pem")}\n`,
  );
}

const state = new SandboxState({
  appId: env.SANDBOX_APP_ID,
  seed: env.SANDBOX_SEED,
  tokenTtlS: env.SANDBOX_TOKEN_TTL_S,
  keyLifetimeS: env.SANDBOX_KEY_LIFETIME_S,
  keyGraceS: env.SANDBOX_KEY_GRACE_S,
  latencyProfile: env.SANDBOX_LATENCY_PROFILE,
  appPublicKey: keys.appPublicKey,
  platformPrivateKey: keys.platformPrivateKey,
});

const server = createSandboxServer(state, (err) => {
  // Never to the client (no stack traces on the wire); the operator sees it here.
  process.stderr.write(
    `sandbox: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
});
server.keepAliveTimeout = 30_000;

server.listen(env.SANDBOX_PORT, env.SANDBOX_HOST, () => {
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : env.SANDBOX_PORT;
  const host = env.SANDBOX_HOST === "0.0.0.0" ? "127.0.0.1" : env.SANDBOX_HOST;
  // One JSON line on stdout: launchers wait for it to learn the URL (docs/alipay-ai-api.md §10).
  announceReady({ event: "listening", url: `http://${host}:${boundPort}`, keys_dir: keysDir });
});

// No grace period: the sandbox holds nothing worth waiting for, open connections are cut at once.
stopOnSignals({
  signals: ["SIGINT", "SIGTERM"],
  close: () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
});
