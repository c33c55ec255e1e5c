import { DEFAULT_DEADLINE_MS } from "@riskq/contracts";
import type { CompletedOutcomes } from "./outcomes";
import { deadTotal, type Readings } from "./readings";
import type { TimelineEntry } from "./timeline";
import { byReason, usd } from "./view/format";
import type { Style } from "./view/style";

export interface SummaryInput {
  durationS: number;
  rate: number;
  merchants: number;
  enqueued: number;
  completed: CompletedOutcomes;
  /** Failed `score` jobs: each has a dead letter. */
  failed: number;
  readings: Readings;
  entries: readonly TimelineEntry[];
}

/** The invariant every riskq run keeps: each job enqueued ended completed or dead. */
export function invariantHolds(input: Pick<SummaryInput, "enqueued" | "completed" | "failed">): boolean {
  return input.enqueued === input.completed.total + input.failed;
}

/** The final table (plain lines; the invariant line is what tests and people look for). */
export function summaryLines(input: SummaryInput, style: Style): string[] {
  const { completed, readings } = input;
  const ledger = readings.ledger;
  const row = (label: string, value: string) => `  ${label.padEnd(26)}${value}`;
  const seconds = (ms: number | undefined) => (ms === undefined ? "–" : `${(ms / 1_000).toFixed(2)} s`);
  const handled = input.entries.filter((e) => e.state === "handled").length;
  const holds = invariantHolds(input);
  const ended = completed.total + input.failed;
  const share = (n: number, of: number) => (of === 0 ? "–" : `${((n / of) * 100).toFixed(2)} %`);
  const lines = [
    style.bold(
      `Summary: ${input.durationS} s of traffic at ${input.rate} jobs/s over ${input.merchants} merchants`,
    ),
    row("enqueued", String(input.enqueued)),
    row(
      "completed",
      `${completed.total} (scored remotely ${completed.bySource.remote ?? 0} · decided locally ${completed.bySource.prefilter ?? 0} · by policy ${completed.bySource.policy ?? 0} · expired ${completed.bySource.expired ?? 0})`,
    ),
    row("degraded decisions", byReason(completed.byDegradedReason)),
    row("dead", `${input.failed} (${byReason(readings.dead)})`),
    row(
      "scored by model",
      `${byReason(completed.byModel)}; flat results withdrawn and scored again: ${completed.rescored}`,
    ),
    row(
      "calls to the sandbox",
      `${ledger.calls} (batch/predict by the workers ${readings.batchCalls}) · 429s ${ledger.by_status["429"] ?? 0}`,
    ),
    row(
      "upstream trouble",
      `silent drops ${ledger.silent_drops} · truncations ${ledger.truncations} · token refreshes ${ledger.token_refreshes} · revocations ${ledger.revocations}`,
    ),
    row("cost", `${usd(ledger.cost_usd)} billed by the sandbox (riskq counted ${usd(readings.billedUsd)})`),
    row(
      "decision latency",
      `p50 ${seconds(completed.decisionP50Ms)} · p99 ${seconds(completed.decisionP99Ms)} enqueue → decision ` +
        `(scored remotely: p50 ${seconds(completed.p50Ms)} · p99 ${seconds(completed.p99Ms)})`,
    ),
    row(
      "decided by the deadline",
      `${share(completed.decidedByDeadline, ended)} (${completed.decidedByDeadline} of ${ended} jobs, deadline ${DEFAULT_DEADLINE_MS / 1_000} s)`,
    ),
    row("incidents handled", `${handled} of ${input.entries.length}`),
  ];
  const deadLetters = deadTotal(readings);
  if (deadLetters !== input.failed) {
    lines.push(
      row(
        "note",
        `${deadLetters} dead letters for ${input.failed} failed jobs (the sweeper writes missing ones)`,
      ),
    );
  }
  const invariant = (sign: string) =>
    `enqueued ${input.enqueued} ${sign} completed ${completed.total} + dead ${input.failed}`;
  lines.push(
    row(
      "invariant",
      holds ? `${invariant("=")} ${style.green("✓")}` : style.red(`${invariant("≠")} ✗ VIOLATED`),
    ),
  );
  return lines;
}
