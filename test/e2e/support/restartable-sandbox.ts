import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxControl, type SandboxProcess, type StartSandboxOptions, startSandbox } from "@riskq/testing";

/**
 * A sandbox that can die and come back as Alipay would after a crash: the same URL (port), the same
 * app id, seed and RSA key files — so riskq's configuration stays right — but a fresh memory: every
 * merchant, auth code and token it had granted is gone, and so are its ledger, clock and faults.
 */
export interface RestartableSandbox extends SandboxProcess {
  /** How many sandbox processes have run (1 after start). */
  readonly incarnations: number;
  /**
   * Takes the running sandbox down — `kill` is SIGKILL (connections cut mid-answer), `stop` is
   * SIGTERM — waits `downMs`, then starts a new one on the same port with the same keys.
   */
  restart(how: "kill" | "stop", downMs?: number): Promise<void>;
}

/** Starts a sandbox on a free port with a keys directory this wrapper owns (removed on stop). */
export async function startRestartableSandbox(
  options: Omit<StartSandboxOptions, "port" | "keysDir"> = {},
): Promise<RestartableSandbox> {
  const keysDir = await mkdtemp(join(tmpdir(), "riskq-sandbox-keys-"));
  let current: SandboxProcess;
  try {
    current = await startSandbox({ ...options, keysDir });
  } catch (err) {
    await rm(keysDir, { recursive: true, force: true });
    throw err;
  }
  const first = current;
  const port = Number(new URL(first.url).port);
  // The output of every incarnation, for the log checks.
  let pastStdout = "";
  let pastStderr = "";
  let incarnations = 1;
  let restarting: Promise<void> | undefined;
  let currentEnded = false;

  const end = async (how: "kill" | "stop") => {
    if (currentEnded) return;
    currentEnded = true;
    await (how === "kill" ? current.kill() : current.stop());
    pastStdout += current.stdout;
    pastStderr += current.stderr;
  };

  let stopped: Promise<void> | undefined;
  const finish = (how: "kill" | "stop") => {
    stopped ??= (async () => {
      await restarting?.catch(() => undefined);
      await end(how);
      await rm(keysDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  return {
    url: first.url,
    keysDir,
    appId: first.appId,
    appPrivateKey: first.appPrivateKey,
    appPublicKey: first.appPublicKey,
    platformPublicKey: first.platformPublicKey,
    control: new SandboxControl(first.url),
    get incarnations() {
      return incarnations;
    },
    reset: () => current.reset(),
    restart(how, downMs = 0) {
      restarting = (async () => {
        await end(how);
        if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
        current = await startSandbox({ ...options, keysDir, port });
        currentEnded = false;
        incarnations += 1;
      })();
      return restarting;
    },
    stop: () => finish("stop"),
    kill: () => finish("kill"),
    [Symbol.asyncDispose]: () => finish("stop"),
    get stdout() {
      return currentEnded ? pastStdout : pastStdout + current.stdout;
    },
    get stderr() {
      return currentEnded ? pastStderr : pastStderr + current.stderr;
    },
  };
}
