import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "@riskq/testing";

/** `pnpm demo` as a child process with piped (non-TTY) output. */
export interface DemoProcess {
  pid: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the exit code (null after a signal). */
  exited: Promise<number | null>;
  /** Resolves with the first stdout line matching `pattern`; rejects if the demo exits first. */
  waitForLine(pattern: RegExp): Promise<string>;
}

/** Runs apps/demo/src/main.ts under node with the tsx loader, from the repository root. */
export function startDemo(args: readonly string[], env: Record<string, string> = {}): DemoProcess {
  const loader = pathToFileURL(join(REPO_ROOT, "node_modules/tsx/dist/loader.mjs")).href;
  const child = spawn(
    process.execPath,
    ["--import", loader, join(REPO_ROOT, "apps/demo/src/main.ts"), ...args],
    {
      cwd: REPO_ROOT,
      // A dashboard of the developer's on 3001 must not matter: the demo takes any free port.
      env: { ...process.env, DASHBOARD_PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    stdout += `${line}\n`;
    for (const waiter of [...waiters]) {
      if (!waiter.pattern.test(line)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // A failing test must not leave the demo (and its apps) behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  void exited.then(() => process.off("exit", killOnExit));
  return {
    pid: child.pid!,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitForLine(pattern) {
      const seen = stdout.split("\n").find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then((code) =>
          reject(new Error(`the demo exited (${code}) before printing ${pattern}\n${stdout}\n${stderr}`)),
        );
      });
    },
  };
}

/**
 * The riskq apps `pid` runs as children right now (node processes running an app's main.ts; the
 * tsx loader's own esbuild service is not one of them).
 */
export function appPids(pid: number): number[] {
  let listing: string;
  try {
    listing = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" });
  } catch {
    // ps exits 1 when there are none.
    return [];
  }
  return listing
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && /apps\/\w+\/src\/main\.ts/.test(m[2]!))
    .map((m) => Number(m[1]));
}

/** Whether a process with this id still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
