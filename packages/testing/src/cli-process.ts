import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { inheritedEnv } from "./app-env";
import { REPO_ROOT } from "./repo-root";

/** What one run of the CLI did. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for `--json` runs); throws with both streams when it is not JSON. */
  json<T = Record<string, unknown>>(): T;
}

export interface RunCliOptions {
  /** Variables on top of the parent's environment (riskq's own knobs removed from it). */
  env?: Record<string, string>;
  /** Written to stdin, then closed; without it stdin is /dev/null. Either way stdin is not a TTY. */
  stdin?: string;
}

const LOADER = pathToFileURL(join(REPO_ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const MAIN = join(REPO_ROOT, "apps/cli/src/main.ts");

/**
 * A runner of `riskq <args>` as `pnpm riskq` does it (tsx, from the repository root), each run a real
 * child process inheriting `parent` (the test's own `process.env`: this package does not read it).
 * Use: `const runCli = cliRunner(process.env)`.
 */
export function cliRunner(parent: NodeJS.ProcessEnv) {
  return (args: readonly string[], options: RunCliOptions = {}) => runCli(parent, args, options);
}

function runCli(parent: NodeJS.ProcessEnv, args: readonly string[], options: RunCliOptions): Promise<CliRun> {
  const child = spawn(process.execPath, ["--import", LOADER, MAIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...inheritedEnv(parent), NODE_ENV: "test", ...options.env },
    stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      resolve({
        code,
        stdout,
        stderr,
        json<T>() {
          try {
            return JSON.parse(stdout) as T;
          } catch {
            throw new Error(
              `stdout is not JSON (exit ${code})\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
            );
          }
        },
      });
    });
  });
}

/** An address where nothing listens (port 1 is never served on a test machine). */
export const NOWHERE_URL = "http://127.0.0.1:1";
