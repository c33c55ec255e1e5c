import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AppProcess, startAppProcess } from "./app-process";
import { SandboxControl } from "./sandbox-control";

export interface StartSandboxOptions {
  seed?: number;
  appId?: string;
  /** Extra SANDBOX_* variables, e.g. `{ SANDBOX_TOKEN_TTL_S: "60" }`. */
  env?: Record<string, string>;
  /** What start and `/__sandbox/reset` restore; tests use "fast" (the default here). */
  latencyProfile?: "fast" | "realistic";
  /** How long to wait for the listening line; default 20 s. */
  startTimeoutMs?: number;
  /** Listen on this port (default 0: a free one). A restarted sandbox takes its predecessor's port. */
  port?: number;
  /**
   * Use this keys directory: its key pairs are reused (generated there when absent) and it is left in
   * place on stop, since the caller owns it. Default: a fresh temporary directory, removed on stop.
   */
  keysDir?: string;
}

/** A sandbox running as a real child process, with its own fresh keys directory. */
export interface SandboxProcess extends AsyncDisposable {
  url: string;
  keysDir: string;
  appId: string;
  /** PKCS#1 PEM, as alipay-sdk expects by default. */
  appPrivateKey: string;
  appPublicKey: string;
  platformPublicKey: string;
  control: SandboxControl;
  /** `POST /__sandbox/reset`. */
  reset(): Promise<void>;
  /** SIGTERM, wait for the exit, remove the keys directory (unless the caller owns it). Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL now (a crash, for chaos tests), then like `stop`. */
  kill(): Promise<void>;
  readonly stdout: string;
  readonly stderr: string;
}

const DEFAULT_APP_ID = "2021000000000001";

/** Spawns `apps/sandbox/src/main.ts` on a free port and waits until it listens. */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<SandboxProcess> {
  const ownsKeysDir = options.keysDir === undefined;
  const keysDir = options.keysDir ?? (await mkdtemp(join(tmpdir(), "riskq-sandbox-keys-")));
  const removeKeysDir = () =>
    ownsKeysDir ? rm(keysDir, { recursive: true, force: true }) : Promise.resolve();
  const appId = options.appId ?? DEFAULT_APP_ID;
  let app: AppProcess;
  try {
    app = await startAppProcess({
      name: "sandbox",
      script: "apps/sandbox/src/main.ts",
      env: {
        // Only what the sandbox needs: a knob left set in the developer's shell cannot change a test.
        ...options.env,
        SANDBOX_PORT: String(options.port ?? 0),
        SANDBOX_KEYS_DIR: keysDir,
        SANDBOX_SEED: String(options.seed ?? 1),
        SANDBOX_APP_ID: appId,
        SANDBOX_LATENCY_PROFILE: options.latencyProfile ?? "fast",
      },
      readyEvent: "listening",
      startTimeoutMs: options.startTimeoutMs,
    });
  } catch (error) {
    await removeKeysDir();
    throw error;
  }
  const url = String(app.ready.url);

  const readKey = async (name: string) => (await readFile(join(keysDir, name), "utf8")).trim();
  const [appPrivateKey, appPublicKey, platformPublicKey] = await Promise.all([
    readKey("app-private.pem"),
    readKey("app-public.pem"),
    readKey("platform-public.pem"),
  ]);
  const control = new SandboxControl(url);
  let stopped: Promise<void> | undefined;
  const end = (how: "stop" | "kill") => {
    stopped ??= (async () => {
      await (how === "kill" ? app.kill() : app.stop());
      await removeKeysDir();
    })();
    return stopped;
  };
  const stop = () => end("stop");

  return {
    url,
    keysDir,
    appId,
    appPrivateKey,
    appPublicKey,
    platformPublicKey,
    control,
    reset: async () => {
      await control.reset();
    },
    stop,
    kill: () => end("kill"),
    [Symbol.asyncDispose]: stop,
    get stdout() {
      return app.stdout;
    },
    get stderr() {
      return app.stderr;
    },
  };
}
