import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { anyFreePort } from "./free-port";
import { requireBinary } from "./monitoring-binaries";

/** One alert as Alertmanager's `GET /api/v2/alerts` shows it. */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  generatorURL?: string;
  status: { state: string };
}

/**
 * Debian's real `prometheus-alertmanager`, on a free loopback port, clustering off, state in a temp
 * directory. It routes everything to one webhook receiver (`webhookUrl`) with resolved
 * notifications on and short group timers, so a test sees both the firing and the resolved notice.
 */
export async function startAlertmanager(webhookUrl: string) {
  const bin = requireBinary("prometheus-alertmanager");
  const dir = mkdtempSync(join(tmpdir(), "riskq-alertmanager-"));
  const config = join(dir, "alertmanager.yml");
  // JSON is YAML: no YAML writer needed.
  writeFileSync(
    config,
    JSON.stringify({
      route: {
        receiver: "riskq-test",
        group_by: ["alertname", "queue", "reason"],
        group_wait: "0s",
        group_interval: "1s",
        repeat_interval: "1h",
      },
      receivers: [{ name: "riskq-test", webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
    }),
  );
  const port = await anyFreePort("127.0.0.1");
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child: ChildProcess = spawn(
    bin,
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const forced = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(forced);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready once /-/ready answers 200 (a generous guard: a loaded machine starts it slowly).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus-alertmanager exited at start:\n${output.slice(-2000)}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus-alertmanager not ready within 30 s:\n${output.slice(-2000)}`);
    }
    await sleep(100);
  }

  return {
    url,
    /** Alerts Alertmanager holds now (resolved ones drop out once their endsAt has passed). */
    async alerts(): Promise<GettableAlert[]> {
      const res = await fetch(`${url}/api/v2/alerts`);
      if (res.status !== 200) throw new Error(`GET /api/v2/alerts answered ${res.status}`);
      return (await res.json()) as GettableAlert[];
    },
    get output() {
      return output;
    },
    stop,
  };
}

export type AlertmanagerProcess = Awaited<ReturnType<typeof startAlertmanager>>;
