import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { anyFreePort } from "@riskq/testing";

const run = promisify(execFile);

/** How a running server goes down: SIGTERM (a clean shutdown, AOF flushed and fsynced) or SIGKILL. */
export type RedisStop = "shutdown" | "kill";

/**
 * A `redis-server` of the test's own, on its own loopback port and data directory, persisting to an
 * append-only file, that the test can stop and start again on the same port with the same data.
 */
export interface StandaloneRedis extends AsyncDisposable {
  port: number;
  /** `redis://127.0.0.1:<port>`, as REDIS_URL takes it. */
  url: string;
  dir: string;
  /** How many times the server was started (1 after `startStandaloneRedis`). */
  readonly starts: number;
  /** Everything the server printed, over all its runs (for a failure message). */
  readonly log: string;
  /** Takes the server down and waits until the process is gone. */
  stop(how: RedisStop): Promise<void>;
  /** Starts it again (same port, same directory) and waits until it answers and has loaded its data. */
  start(): Promise<void>;
  /** Kills the server and deletes its directory. Safe twice. */
  dispose(): Promise<void>;
}

export interface StandaloneRedisOptions {
  /**
   * `always` (default): every write is fsynced before Redis answers it, so a write a client saw
   * acknowledged survives even a SIGKILL of the server. `everysec` may lose the last second on a
   * crash of the machine (not of the process: the data is in the page cache by then).
   */
  appendfsync?: "always" | "everysec";
}

/** Starts `redis-server` (from PATH) with `appendonly yes`, no RDB snapshots and `noeviction`. */
export async function startStandaloneRedis(options: StandaloneRedisOptions = {}): Promise<StandaloneRedis> {
  const dir = mkdtempSync(join(tmpdir(), "riskq-redis-"));
  const port = await anyFreePort("127.0.0.1");
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--appendonly",
    "yes",
    "--appendfsync",
    options.appendfsync ?? "always",
    "--save",
    "",
    "--maxmemory-policy",
    "noeviction",
  ];
  let server: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let starts = 0;
  let log = "";

  const start = async () => {
    if (server) throw new Error(`redis on port ${port} is already running`);
    const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    starts += 1;
    const append = (chunk: Buffer) => {
      log += chunk.toString("utf8");
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    exited = new Promise((resolve) => child.once("exit", () => resolve()));
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    void exited.then(() => {
      process.off("exit", killOnExit);
      if (server === child) server = undefined;
    });
    server = child;
    await waitUntilServing(port, () => log);
  };

  const stop = async (how: RedisStop) => {
    const child = server;
    if (!child) return;
    child.kill(how === "kill" ? "SIGKILL" : "SIGTERM");
    await exited;
  };

  let disposed: Promise<void> | undefined;
  const dispose = () => {
    disposed ??= (async () => {
      await stop("kill");
      rmSync(dir, { recursive: true, force: true });
    })();
    return disposed;
  };

  try {
    await start();
  } catch (err) {
    await dispose();
    throw new Error(`could not start redis-server (on PATH?): ${String(err)}`);
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get starts() {
      return starts;
    },
    get log() {
      return log;
    },
    stop,
    start,
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}

/** Until PING answers PONG and INFO says the append-only file is loaded (`loading:0`). */
async function waitUntilServing(port: number, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const info = await run("redis-cli", ["-p", String(port), "info", "persistence"]).then(
      (r) => r.stdout,
      () => "",
    );
    if (/loading:0/.test(info)) return;
    await sleep(25);
  }
  throw new Error(`redis on port ${port} did not come up\n${log().slice(-2000)}`);
}
