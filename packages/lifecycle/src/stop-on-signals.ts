import type { Logger } from "@riskq/observability";

/** The part of `process` a shutdown uses; tests pass a fake. */
interface SignalledProcess {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  once(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): never;
}

export interface StopOnSignalsOptions {
  /**
   * The signals that stop the app, named in its main.ts (every app takes SIGINT and SIGTERM: in the
   * container node is PID 1 without an init, so SIGTERM is the app's own to handle).
   */
  signals: readonly NodeJS.Signals[];
  /**
   * The ordered close of the app: stop taking work first, then queues and connections, tracing last.
   * A rejection is left unhandled on purpose: the process then dies with Node's error exit, as before.
   */
  close: () => Promise<unknown>;
  /**
   * How long the close may take before the process exits 1 anyway (SHUTDOWN_GRACE_MS, or the app's
   * literal default). Without it the process waits for the close however long it takes.
   */
  graceMs?: number;
  /** What the shutdown logs through (the sandbox has none). */
  logger?: Pick<Logger, "info" | "warn">;
  /** Logged with `{ signal }` when the shutdown starts. */
  stoppingMessage?: string;
  /** Logged (warn) when the grace period runs out, just before the exit 1. */
  overdueMessage?: string;
  /**
   * true: a second signal during the shutdown is ignored (the worker and scheduler, whose close flushes
   * work). false: a second signal of the same kind gets Node's default action and ends the process at once
   * (an operator's double Ctrl-C on the API).
   */
  ignoreRepeatedSignals?: boolean;
  /** Default the real `process`. */
  process?: SignalledProcess;
}

/**
 * The process lifecycle every long-running app shares: on one of `signals`, close in order and exit 0;
 * past the grace period exit 1 (the work left in flight is retried elsewhere).
 */
export function stopOnSignals(options: StopOnSignalsOptions): void {
  const proc: SignalledProcess = options.process ?? process;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    if (options.stoppingMessage) options.logger?.info({ signal }, options.stoppingMessage);
    if (options.graceMs !== undefined) {
      const forced = setTimeout(() => {
        if (options.overdueMessage) options.logger?.warn(options.overdueMessage);
        proc.exit(1);
      }, options.graceMs);
      // The timer alone never keeps the process up.
      forced.unref();
    }
    void options.close().then(() => proc.exit(0));
  };
  for (const signal of options.signals) {
    if (options.ignoreRepeatedSignals) proc.on(signal, stop);
    else proc.once(signal, stop);
  }
}
