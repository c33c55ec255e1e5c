import { type ChildProcess, spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "./repo-root";

export interface StartAppOptions {
  /** For messages, e.g. "worker 2". */
  name: string;
  /** Entry point, repo-relative or absolute, e.g. "apps/worker/src/main.ts". */
  script: string;
  /**
   * "tsx" (default): TypeScript source through tsx's loader. "node": a bundle (`pnpm build`) under
   * plain node, as the image runs it.
   */
  runner?: "tsx" | "node";
  /** Working directory of the child (default: the repository root). */
  cwd?: string;
  /** The whole environment of the child (callers decide what to inherit). */
  env: Record<string, string>;
  /** The `event` of the JSON line on stdout that says the process is ready. */
  readyEvent: string;
  startTimeoutMs?: number | undefined;
}

/** A riskq app (or the sandbox) running as a real child process. */
export interface AppProcess extends AsyncDisposable {
  readonly name: string;
  readonly pid: number;
  /** The parsed ready line. */
  readonly ready: Record<string, unknown>;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the exit code (null after a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM (graceful), SIGKILL after `graceMs`; resolves once the process is gone. Safe twice. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL now: a crash, for chaos tests. */
  kill(): Promise<void>;
}

/** Runs `<script>` under node (with the tsx loader unless told otherwise) and waits for its ready line. */
export async function startAppProcess(options: StartAppOptions): Promise<AppProcess> {
  // One process, not tsx's CLI (which runs the app in a second process): a SIGKILL must hit the app
  // itself, and no PATH is needed from the caller's environment.
  const loader = pathToFileURL(join(REPO_ROOT, "node_modules/tsx/dist/loader.mjs")).href;
  const entry = resolve(REPO_ROOT, options.script);
  const args = options.runner === "node" ? [entry] : ["--import", loader, entry];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // A crashed test runner must not leave processes behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  void exited.then(() => process.off("exit", killOnExit));

  let ready: Record<string, unknown>;
  try {
    ready = await waitForReady(
      child,
      options,
      (line) => {
        stdout += `${line}\n`;
      },
      () => stderr,
    );
  } catch (error) {
    await terminate(child, exited, 5_000);
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5_000) => {
    stopping ??= terminate(child, exited, graceMs);
    return stopping;
  };
  return {
    name: options.name,
    pid: child.pid!,
    ready,
    exited,
    stop,
    kill: () => {
      stopping ??= terminate(child, exited, 0);
      return stopping;
    },
    [Symbol.asyncDispose]: () => stop(),
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

function waitForReady(
  child: ChildProcess,
  options: StartAppOptions,
  onLine: (line: string) => void,
  stderr: () => string,
): Promise<Record<string, unknown>> {
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${options.name} did not start: ${reason}\n--- stderr ---\n${stderr().slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`no ${options.readyEvent} line within ${timeoutMs} ms`), timeoutMs);
    child.once("error", (error) => fail(`spawn failed: ${error.message}`));
    child.once("exit", (code, signal) => fail(`process exited early (code ${code}, signal ${signal})`));
    // Keep reading after the ready line so stdout stays drained and captured.
    createInterface({ input: child.stdout! }).on("line", (line) => {
      onLine(line);
      if (settled) return;
      const parsed = readyLine(line, options.readyEvent);
      if (!parsed) return;
      settled = true;
      clearTimeout(timer);
      resolve(parsed);
    });
  });
}

function readyLine(line: string, event: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    return parsed.event === event ? parsed : undefined;
  } catch {
    return undefined;
  }
}

async function terminate(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(graceMs === 0 ? "SIGKILL" : "SIGTERM");
  const timer = graceMs > 0 ? setTimeout(() => child.kill("SIGKILL"), graceMs) : undefined;
  await exited;
  if (timer) clearTimeout(timer);
}
