import { DEAD_LETTER_REASONS, type DeadLetterReason } from "@riskq/contracts";

/**
 * A job that dies carries its reason in BullMQ's failedReason as `dead:<reason>:<code>: <message>`,
 * so that whoever reconciles the failed set later (after a crash) can still tell why.
 */
export function deadMessage(reason: DeadLetterReason, code: string, message: string): string {
  return `dead:${reason}:${code}: ${message}`;
}

export interface ParsedDeath {
  reason: DeadLetterReason;
  code: string;
  message: string;
}

const REASONS = new Set<string>(DEAD_LETTER_REASONS);

/** The reason of a failed job; BullMQ's own failures (stalled too often) map to `stalled`. */
export function parseDeath(failedReason: string | undefined): ParsedDeath {
  const text = failedReason ?? "";
  const m = /^dead:([a-z_]+):([^:]*): ([\s\S]*)$/.exec(text);
  if (m && REASONS.has(m[1]!)) return { reason: m[1] as DeadLetterReason, code: m[2]!, message: m[3]! };
  if (/stalled/i.test(text)) return { reason: "stalled", code: "stalled", message: text };
  return { reason: "upstream_error", code: "unknown", message: text || "failed without a reason" };
}
