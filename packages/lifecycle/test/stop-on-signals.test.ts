import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { announceReady, stopOnSignals } from "../src/index";

/** A process stand-in: signals are emitted by hand, exits recorded instead of taken. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  const proc = Object.assign(emitter, {
    exit: ((code: number) => {
      exits.push(code);
    }) as (code: number) => never,
  });
  return { proc, exits };
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("stopOnSignals", () => {
  it("closes once and exits 0 on SIGTERM, ignoring a repeated signal when asked", async () => {
    const { proc, exits } = fakeProcess();
    const close = vi.fn(async () => {});
    const logged: string[] = [];
    const logger = { info: (_: object, message: string) => logged.push(message), warn: () => {} };
    stopOnSignals({
      signals: SIGNALS,
      close,
      logger,
      stoppingMessage: "shutting down",
      ignoreRepeatedSignals: true,
      process: proc,
    });
    proc.emit("SIGTERM", "SIGTERM");
    proc.emit("SIGINT", "SIGINT");
    proc.emit("SIGTERM", "SIGTERM");
    await flush();
    expect(close).toHaveBeenCalledTimes(1);
    expect(exits).toEqual([0]);
    expect(logged).toEqual(["shutting down"]);
    expect(proc.listenerCount("SIGTERM")).toBe(1);
  });

  it("leaves a repeated signal to Node's default action unless asked to ignore it", () => {
    const { proc } = fakeProcess();
    stopOnSignals({
      signals: SIGNALS,
      close: async () => {},
      process: proc,
    });
    proc.emit("SIGINT", "SIGINT");
    expect(proc.listenerCount("SIGINT")).toBe(0);
    expect(proc.listenerCount("SIGTERM")).toBe(1);
  });

  it("exits 1 with the overdue warning once the grace period is over", async () => {
    vi.useFakeTimers();
    try {
      const { proc, exits } = fakeProcess();
      const warned: string[] = [];
      stopOnSignals({
        signals: SIGNALS,
        close: () => new Promise(() => {}),
        graceMs: 5_000,
        logger: { info: () => {}, warn: (message: string) => warned.push(message) },
        overdueMessage: "grace period over",
        process: proc,
      });
      proc.emit("SIGINT", "SIGINT");
      vi.advanceTimersByTime(4_999);
      expect(exits).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(exits).toEqual([1]);
      expect(warned).toEqual(["grace period over"]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("announceReady", () => {
  it("writes the ready line as one JSON object on its own line", () => {
    const lines: string[] = [];
    announceReady(
      { event: "listening", url: "http://127.0.0.1:1" },
      { write: (text: string) => lines.push(text) },
    );
    expect(lines).toEqual(['{"event":"listening","url":"http://127.0.0.1:1"}\n']);
  });
});
