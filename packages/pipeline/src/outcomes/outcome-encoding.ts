import {
  DEAD_LETTER_REASONS,
  type DeadLetterReason,
  type RecordedOutcome,
  type ScoreJobResult,
} from "@riskq/contracts";

/** A job's end as its idempotency record keeps it. */
export interface OutcomeRecord {
  status: "completed" | "dead";
  outcome: RecordedOutcome;
}

// Codes by position. These tables are part of the stored format: records written by an older
// release must still read the same, so entries are only ever appended, never reordered or removed.
const SOURCES = ["remote", "prefilter", "policy", "expired"] as const;
const LEVELS = ["low", "medium", "high", "reject"] as const;
const DECISIONS = ["allow", "review"] as const;
const DEGRADED = ["deadline", "rate_limited", "circuit_open", "timeout", "budget"] as const;
/** A degraded decision without a recorded reason (results older than degraded_reason). */
const DEGRADED_NO_REASON = "*";
const SEPARATOR = "|";

const codeOf = (table: readonly string[], value: string | null | undefined) =>
  value === null || value === undefined ? "" : String(table.indexOf(value));

/**
 * The outcome of a completed job, in the few fields a caller needs to see it again: how it was
 * decided and the verdict. Cost, attempts and info codes stay with the job (and the cost ledger).
 */
export function completedRecord(result: ScoreJobResult, finishedAt: number): OutcomeRecord {
  const outcome: RecordedOutcome = {
    finished_at: finishedAt,
    source: result.source,
    confidence: result.confidence,
    risk_score: result.risk_score,
    risk_level: result.risk_level,
    flagged: result.flagged,
    model_version: result.model_version,
  };
  if (result.decision !== undefined) outcome.decision = result.decision;
  if (result.degraded) outcome.degraded = true;
  if (result.degraded_reason !== undefined) outcome.degraded_reason = result.degraded_reason;
  return { status: "completed", outcome };
}

export function deadRecord(reason: DeadLetterReason, finishedAt: number): OutcomeRecord {
  return { status: "dead", outcome: { finished_at: finishedAt, dead_reason: reason } };
}

/**
 * One record as a short text: its state letter and end time (base 36 ms), then `|`-separated
 * fields, empty when absent — e.g. `cmi8k2x1s|0|12|0|0|.12|||risk-v3-2026-11` (~40 bytes). Model
 * versions are lower-case words and dashes, so `|` never occurs inside a field.
 */
export function encodeOutcome(record: OutcomeRecord): string {
  const o = record.outcome;
  const head = `${record.status === "completed" ? "c" : "d"}${o.finished_at.toString(36)}`;
  if (record.status === "dead") return [head, o.dead_reason ?? ""].join(SEPARATOR);
  const degraded = o.degraded
    ? o.degraded_reason === undefined
      ? DEGRADED_NO_REASON
      : codeOf(DEGRADED, o.degraded_reason)
    : "";
  return [
    head,
    codeOf(SOURCES, o.source),
    o.risk_score ?? "",
    codeOf(LEVELS, o.risk_level),
    o.flagged === null || o.flagged === undefined ? "" : o.flagged ? "1" : "0",
    // 0.12 → ".12": the leading zero of a probability says nothing.
    o.confidence === null || o.confidence === undefined ? "" : String(o.confidence).replace(/^0\./, "."),
    codeOf(DECISIONS, o.decision),
    degraded,
    o.model_version ?? "",
  ].join(SEPARATOR);
}

const fromTable = <T extends string>(table: readonly T[], code: string | undefined): T | null =>
  code ? (table[Number(code)] ?? null) : null;

/** The record of `encodeOutcome`'s text; undefined for text it cannot have written. */
export function decodeOutcome(text: string): OutcomeRecord | undefined {
  const [head = "", ...fields] = text.split(SEPARATOR);
  const finishedAt = Number.parseInt(head.slice(1), 36);
  if (!Number.isSafeInteger(finishedAt)) return undefined;
  if (head[0] === "d") {
    const reason = DEAD_LETTER_REASONS.find((r) => r === fields[0]);
    return reason ? deadRecord(reason, finishedAt) : undefined;
  }
  if (head[0] !== "c" || fields.length !== 8) return undefined;
  const [source, score, level, flagged, confidence, decision, degraded, model] = fields;
  const outcome: RecordedOutcome = {
    finished_at: finishedAt,
    confidence: confidence ? Number(confidence) : null,
    risk_score: score ? Number(score) : null,
    risk_level: fromTable(LEVELS, level),
    flagged: flagged ? flagged === "1" : null,
    model_version: model || null,
  };
  const sourceName = fromTable(SOURCES, source);
  if (sourceName) outcome.source = sourceName;
  const decisionName = fromTable(DECISIONS, decision);
  if (decisionName) outcome.decision = decisionName;
  if (degraded) {
    outcome.degraded = true;
    const reason = fromTable(DEGRADED, degraded);
    if (reason) outcome.degraded_reason = reason;
  }
  return { status: "completed", outcome };
}
