import { RiskqCardNumberRefused, RiskqRequestInvalid, validateScoreRequests } from "@riskq/client";
import type { ScoreRequestBody } from "@riskq/contracts";

export type ParsedLine = { request: ScoreRequestBody } | { error: string };

/**
 * One JSONL line as a score request, checked exactly as the SDK (and the API) will check it, or
 * what is wrong with it. The message never quotes the line: it may hold a card number.
 */
export function parseRequestLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the input; keep only the position.
    const at = /at position (\d+)/.exec(String((error as Error).message))?.[1];
    return { error: `not valid JSON${at === undefined ? "" : ` (at position ${at})`}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { error: "not a JSON object (one score request per line)" };
  }
  try {
    const [request] = validateScoreRequests([value], false);
    return { request: request! };
  } catch (error) {
    if (error instanceof RiskqCardNumberRefused) return { error: error.message };
    if (error instanceof RiskqRequestInvalid) {
      return { error: error.issues.map((issue) => `${issue.path || "(body)"}: ${issue.message}`).join("; ") };
    }
    throw error;
  }
}
