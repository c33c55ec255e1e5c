import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { anyFreePort } from "@riskq/testing";

const run = promisify(execFile);

/** A throwaway local Redis Cluster: three masters on loopback ports, no replicas, nothing on disk kept. */
export interface LocalRedisCluster extends AsyncDisposable {
  ports: number[];
  /** `redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`, as REDIS_URL takes it. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server --cluster-enabled yes` three times and joins them with
 * `redis-cli --cluster create` (both from PATH, as Debian's redis-server package installs them).
 */
export async function startRedisCluster(): Promise<LocalRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), "riskq-cluster-"));
  const ports = [
    await anyFreePort("127.0.0.1"),
    await anyFreePort("127.0.0.1"),
    await anyFreePort("127.0.0.1"),
  ];
  const servers: ChildProcess[] = [];
  const stop = async () => {
    for (const server of servers) server.kill("SIGKILL");
    await sleep(50);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      const server = spawn(
        "redis-server",
        [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          `nodes-${port}.conf`,
          "--dir",
          dir,
          "--save",
          "",
          "--appendonly",
          "no",
          "--maxmemory-policy",
          "noeviction",
        ],
        { stdio: "ignore" },
      );
      servers.push(server);
    }
    for (const port of ports) await waitForPing(port);
    await run("redis-cli", [
      "--cluster",
      "create",
      ...ports.map((p) => `127.0.0.1:${p}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    for (const port of ports) await waitFor(port, "cluster_state:ok", ["cluster", "info"]);
  } catch (err) {
    await stop();
    throw new Error(
      `could not start a local Redis Cluster (redis-server and redis-cli on PATH?): ${String(err)}`,
    );
  }
  return {
    ports,
    url: `redis-cluster://${ports.map((p) => `127.0.0.1:${p}`).join(",")}`,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function waitForPing(port: number): Promise<void> {
  await waitFor(port, "PONG", ["ping"]);
}

async function waitFor(port: number, expected: string, command: string[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const out = await run("redis-cli", ["-p", String(port), ...command]).then(
      (r) => r.stdout,
      () => "",
    );
    if (out.includes(expected)) return;
    await sleep(100);
  }
  throw new Error(`redis on port ${port} never answered ${expected} to ${command.join(" ")}`);
}
