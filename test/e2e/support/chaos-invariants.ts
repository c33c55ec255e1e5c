import type { CallbackBody } from "@riskq/pipeline";
import type { AppProcess } from "@riskq/testing";
import { expect } from "vitest";
import type { CallbackGaps, CallbackReceiver } from "./callback-receiver";
import { collectOutcomes, formatOutcomes, type JobOutcomes } from "./job-outcomes";
import type { CapturedLog, Leak, SecretHarvest } from "./secret-scan";
import type { Stack } from "./stack";

/** What a chaos run left behind, judged against riskq's promises. */
export interface ChaosVerdict {
  outcomes: JobOutcomes;
  /** Callbacks still missing (or invalid) for each job's final outcome. */
  callbacks: CallbackGaps;
  leaks: Leak[];
  /** How many secrets of each kind were looked for (the scan saw tokens and keys, or it proved nothing). */
  secretKinds: Record<string, number>;
  /** Bytes of log scanned. */
  logBytes: number;
}

/** stdout and stderr of processes (dead ones too: their output stays captured). */
export function capturedLogs(
  processes: readonly Pick<AppProcess, "name" | "stdout" | "stderr">[],
): CapturedLog[] {
  return processes.flatMap((p) => [
    { name: `${p.name} stdout`, text: p.stdout },
    { name: `${p.name} stderr`, text: p.stderr },
  ]);
}

export interface JudgeOptions {
  stack: Stack;
  /** Every job id the test enqueued (unique). */
  ids: readonly string[];
  receiver: CallbackReceiver;
  harvest: SecretHarvest;
  /** Output of processes the stack does not own (sandbox, scheduler, Redis…); the stack's own are added. */
  moreLogs?: readonly CapturedLog[];
  /**
   * How long callbacks may still take once every job has ended: a delivery a killed worker held is
   * handed on only when BullMQ's lock on it lapses (30 s for the callback worker) and a stalled check runs.
   */
  callbackWaitMs: number;
  log: (line: string) => void;
}

/** Reads the outcome of every job, waits for their callbacks, and scans every log for secrets. */
export async function judgeRun(options: JudgeOptions): Promise<ChaosVerdict> {
  const { stack, log } = options;
  const outcomes = await collectOutcomes(stack.scoreQueue, stack.deadQueue, options.ids);
  log(formatOutcomes(outcomes));
  const expected = new Map<string, CallbackBody["event"] | "any">();
  for (const id of options.ids) expected.set(id, "any");
  for (const id of outcomes.completedIds) expected.set(id, "completed");
  for (const id of outcomes.deadIds) expected.set(id, "dead");
  const waitStarted = Date.now();
  const callbacks = await options.receiver.waitForAll(expected, options.callbackWaitMs);
  log(
    `callbacks: ${options.receiver.total} deliveries for ${options.receiver.byJob.size} jobs ` +
      `(${options.receiver.refused} first attempts refused on purpose); last arrived ` +
      `${Date.now() - waitStarted} ms after every job had ended; missing ${callbacks.missing.length}, ` +
      `invalid ${callbacks.invalid.length}`,
  );
  await options.harvest.stop();
  const logs = [...capturedLogs(stack.processes), ...(options.moreLogs ?? [])];
  const logBytes = logs.reduce((n, l) => n + l.text.length, 0);
  const leaks = options.harvest.leaksIn(logs);
  const secretKinds = options.harvest.kinds();
  log(`secret scan: ${logBytes} bytes of ${logs.length} logs against ${JSON.stringify(secretKinds)}`);
  return { outcomes, callbacks, leaks, secretKinds, logBytes };
}

/**
 * riskq's promises after any fault: enqueued = completed + dead with nothing lost, stuck, doubled or
 * mixed up; dead only for the reasons the fault explains; every job's final outcome announced by a
 * signed callback naming it; no secret in any process's output.
 */
export function expectChaosInvariants(
  verdict: ChaosVerdict,
  options: { ids: readonly string[]; allowedDeadReasons: readonly string[] },
): void {
  const { outcomes } = verdict;
  expect(new Set(options.ids).size).toBe(options.ids.length);
  expect(outcomes.lost).toEqual([]);
  expect(outcomes.unmatchedDeaths).toEqual([]);
  expect(outcomes.unexpected).toEqual([]);
  expect(outcomes.completed + outcomes.dead).toBe(options.ids.length);
  expect(outcomes.wrongItem).toEqual([]);
  expect(outcomes.scoredTwice).toEqual([]);
  expect(Object.keys(outcomes.deadReasons).filter((r) => !options.allowedDeadReasons.includes(r))).toEqual(
    [],
  );

  expect(verdict.callbacks.invalid).toEqual([]);
  expect(verdict.callbacks.unexpected).toEqual([]);
  expect(verdict.callbacks.missing).toEqual([]);

  // The scan looked for the run's tokens and AES keys, not only for the configured secrets.
  expect(verdict.secretKinds["merchant access token"] ?? 0).toBeGreaterThan(0);
  expect(verdict.secretKinds["AES key"] ?? 0).toBeGreaterThan(0);
  expect(verdict.leaks).toEqual([]);
}
