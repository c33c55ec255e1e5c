import { type Readings, unfinished } from "../readings";
import type { TimelineEntry } from "../timeline";
import type { TrafficCounts } from "../traffic";
import { byReason, clock, usd, wrapText } from "./format";
import type { Style } from "./style";

export type Phase = "streaming" | "draining" | "done";

/** Everything the live view shows at one instant. */
export interface Frame {
  phase: Phase;
  elapsedMs: number;
  durationMs: number;
  rate: number;
  prefix: string;
  traffic: TrafficCounts;
  readings: Readings | undefined;
  entries: readonly TimelineEntry[];
}

/** The counters on one line: what the non-TTY output prints every few seconds. */
export function countersLine(frame: Frame): string {
  const r = frame.readings;
  const head = `enqueued ${frame.traffic.enqueued}`;
  if (!r) return `${head} · (no readings yet)`;
  return [
    head,
    `completed ${r.queue.completed ?? 0}`,
    `dead ${r.queue.failed ?? 0}`,
    `unfinished ${unfinished(r)}`,
    `scored remotely ${r.completed.remote}`,
    `decided locally ${r.completed.prefilter}`,
    `calls ${r.ledger.calls} (429: ${r.ledger.by_status["429"] ?? 0})`,
    `limiter ${limiter(r)}`,
    `cost ${usd(r.ledger.cost_usd)}`,
  ].join(" · ");
}

function limiter(r: Readings): string {
  return r.limiterRate === undefined ? "? calls/s" : `${r.limiterRate.toFixed(1)} calls/s`;
}

const MARK: Record<TimelineEntry["state"], string> = { planned: "·", injected: "▶", handled: "✓" };

/** The whole terminal view (TTY), `width` columns wide. */
export function frameLines(frame: Frame, style: Style, width: number): string[] {
  const r = frame.readings;
  const progress = Math.min(1, frame.elapsedMs / frame.durationMs);
  const barWidth = 24;
  const filled = Math.round(progress * barWidth);
  const bar = `${"█".repeat(filled)}${"░".repeat(barWidth - filled)}`;
  const after = clock(frame.elapsedMs - frame.durationMs);
  const phase =
    frame.phase === "streaming"
      ? ""
      : frame.phase === "draining"
        ? `  draining the queue… ${after}`
        : `  done, drained in ${after}`;
  const lines = [
    `${style.bold("riskq demo")}  ${bar} ${clock(Math.min(frame.elapsedMs, frame.durationMs))} / ${clock(frame.durationMs)}${phase}   ${style.dim(`${frame.rate} jobs/s · prefix ${frame.prefix}`)}`,
    "",
  ];
  const row = (label: string, text: string) => {
    const wrapped = wrapText(text, Math.max(20, width - 12), "");
    lines.push(...wrapped.map((part, i) => `  ${(i === 0 ? label : "").padEnd(10)}${part}`));
  };
  if (!r) {
    row("jobs", `enqueued ${frame.traffic.enqueued} (waiting for the first readings)`);
  } else {
    row(
      "jobs",
      `enqueued ${frame.traffic.enqueued} · completed ${r.queue.completed ?? 0} · dead ${r.queue.failed ?? 0} · unfinished ${unfinished(r)}`,
    );
    row(
      "results",
      `scored remotely ${r.completed.remote} · decided locally ${r.completed.prefilter} · by policy ${r.completed.policy} · expired ${r.completed.expired} ${style.dim("(the workers' counts: a withdrawn flat result and its re-score are two)")}`,
    );
    row("dead", byReason(r.dead));
    row(
      "alipay",
      `calls ${r.ledger.calls} (batch/predict ${r.batchCalls}) · 429s ${r.ledger.by_status["429"] ?? 0} · limiter ${limiter(r)} · cost ${usd(r.ledger.cost_usd)}`,
    );
    row(
      "upstream",
      `silent drops ${r.ledger.silent_drops} · truncations ${r.ledger.truncations} · token refreshes ${r.ledger.token_refreshes} · revocations ${r.ledger.revocations}`,
    );
  }
  if (frame.traffic.failedRequests > 0) {
    row(
      "producer",
      `${frame.traffic.failedRequests} batch requests failed and were sent again (${frame.traffic.lastError ?? ""})`,
    );
  }
  lines.push("", `  ${style.bold("incidents")}`);
  for (const entry of frame.entries) lines.push(...entryLines(entry, style, width, r));
  return lines;
}

function entryLines(entry: TimelineEntry, style: Style, width: number, r: Readings | undefined): string[] {
  const at = clock(entry.injectedAtMs ?? entry.dueAtMs);
  const { name } = entry.incident;
  let text: string;
  let mark = MARK[entry.state];
  if (entry.state === "planned") text = `${name} (planned)`;
  else if (entry.state === "handled") text = `${name} → ${entry.handled}`;
  else text = `${name}: ${entry.incident.action} — ${r ? entry.incident.progress(r) : "…"}`;
  if (entry.error) text += ` (error: ${entry.error})`;
  const wrapped = wrapText(`${at} ${text}`, Math.max(20, width - 6), "       ");
  mark =
    entry.state === "handled"
      ? style.green(mark)
      : entry.state === "injected"
        ? style.yellow(mark)
        : style.dim(mark);
  return wrapped.map((part, i) => `  ${i === 0 ? mark : " "} ${part}`);
}
