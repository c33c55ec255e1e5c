import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "./repo-root";
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
  /** SIGTERM, wait for the exit, remove the keys directory. Safe to call twice. */
  stop(): Promise<void>;
  readonly stdout: string;
  readonly stderr: string;
}

const DEFAULT_APP_ID = "2021000000000001";
const STOP_GRACE_MS = 5_000;

/** Spawns `apps/sandbox/src/main.ts` on a free port and waits until it listens. */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<SandboxProcess> {
  const keysDir = await mkdtemp(join(tmpdir(), "riskq-sandbox-keys-"));
  const appId = options.appId ?? DEFAULT_APP_ID;
  const child = spawn(
    join(REPO_ROOT, "node_modules/.bin/tsx"),
    [join(REPO_ROOT, "apps/sandbox/src/main.ts")],
    {
      cwd: REPO_ROOT,
      env: {
        ...inheritedEnv(),
        ...options.env,
        SANDBOX_PORT: "0",
        SANDBOX_KEYS_DIR: keysDir,
        SANDBOX_SEED: String(options.seed ?? 1),
        SANDBOX_APP_ID: appId,
        SANDBOX_LATENCY_PROFILE: options.latencyProfile ?? "fast",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  // A crashed test runner must not leave sandboxes behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  let url: string;
  try {
    url = await waitForListening(
      child,
      options.startTimeoutMs ?? 20_000,
      (line) => {
        stdout += `${line}\n`;
      },
      () => stderr,
    );
  } catch (error) {
    process.off("exit", killOnExit);
    await terminate(child);
    await rm(keysDir, { recursive: true, force: true });
    throw error;
  }

  const readKey = async (name: string) => (await readFile(join(keysDir, name), "utf8")).trim();
  const [appPrivateKey, appPublicKey, platformPublicKey] = await Promise.all([
    readKey("app-private.pem"),
    readKey("app-public.pem"),
    readKey("platform-public.pem"),
  ]);
  const control = new SandboxControl(url);
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      process.off("exit", killOnExit);
      await terminate(child);
      await rm(keysDir, { recursive: true, force: true });
    })();
    return stopped;
  };

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
    [Symbol.asyncDispose]: stop,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

/**
 * The parent's environment minus SANDBOX_* knobs: the child needs PATH and friends, but a knob left
 * set in the developer's shell must not change what a test sees.
 */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith("SANDBOX_")) env[name] = value;
  }
  return env;
}

function waitForListening(
  child: ChildProcess,
  timeoutMs: number,
  onLine: (line: string) => void,
  stderr: () => string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`sandbox did not start: ${reason}\n--- stderr ---\n${stderr().slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`no listening line within ${timeoutMs} ms`), timeoutMs);
    child.once("error", (error) => fail(`spawn failed: ${error.message}`));
    child.once("exit", (code, signal) => fail(`process exited early (code ${code}, signal ${signal})`));
    // Keep reading after the listening line so stdout stays drained and captured.
    createInterface({ input: child.stdout! }).on("line", (line) => {
      onLine(line);
      if (settled) return;
      const url = listeningUrl(line);
      if (url === undefined) return;
      settled = true;
      clearTimeout(timer);
      resolve(url);
    });
  });
}

function listeningUrl(line: string): string | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(line) as { event?: unknown; url?: unknown };
    return parsed.event === "listening" && typeof parsed.url === "string" ? parsed.url : undefined;
  } catch {
    return undefined;
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
