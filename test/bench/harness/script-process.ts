import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "@riskq/testing";

const STOP_GRACE_MS = 3_000;
const live = new Set<ScriptProcess>();

/**
 * A bench helper script (TypeScript, run with tsx) as a child process that speaks JSON lines: it
 * prints one JSON object per stdout line and reads lines on stdin. Every one started is tracked so
 * that `stopAllScripts` can end them on exit or Ctrl-C.
 */
export class ScriptProcess {
  private readonly child: ChildProcess;
  private readonly queue: unknown[] = [];
  private waiter: { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
  private stderrTail = "";
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    script: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(join(REPO_ROOT, "node_modules/.bin/tsx"), [script], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    live.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        live.delete(this);
        this.fail(new Error(`${name} exited (code ${code}, signal ${signal})\n${this.stderrTail}`));
        resolve();
      });
    });
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      if (!line.startsWith("{")) return;
      if (this.waiter) {
        this.waiter.resolve(JSON.parse(line));
        this.waiter = undefined;
      } else this.queue.push(JSON.parse(line));
    });
  }

  /** The process id of the tsx launcher (the script itself runs in its child). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The next JSON line the script prints. */
  next<T>(timeoutMs: number): Promise<T> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued as T);
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.reject(new Error(`${this.name} has exited\n${this.stderrTail}`));
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new Error(`${this.name}: no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiter = {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  send(message: unknown): void {
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  /** SIGTERM (tsx relays it to the script), SIGKILL after a grace; resolves once it has exited. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
  }

  private fail(error: Error): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
  }
}

/** Ends every script process still running. */
export async function stopAllScripts(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()));
}
