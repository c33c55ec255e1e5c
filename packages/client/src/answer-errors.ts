import { type ApiAnswer, bodyField, serverErrorCode } from "./api-answer";
import {
  RiskqBacklogFull,
  RiskqCardNumberRefused,
  type RiskqError,
  RiskqHttpError,
  type RiskqIssue,
  RiskqRequestInvalid,
  RiskqUnauthorized,
  RiskqUnavailable,
} from "./errors";
import { parseRetryAfter } from "./retry-delays";

/** Seconds to wait from a 429/503: the `Retry-After` header, else the body's `retry_after_s`. */
export function retryAfterOf(answer: ApiAnswer): number | undefined {
  const fromHeader = parseRetryAfter(answer.headers.get("retry-after"));
  if (fromHeader !== undefined) return fromHeader;
  const fromBody = bodyField(answer.body, "retry_after_s");
  return typeof fromBody === "number" && fromBody >= 0 ? fromBody : undefined;
}

function issuesOf(body: unknown): RiskqIssue[] {
  const issues = bodyField(body, "issues");
  if (!Array.isArray(issues)) return [];
  return issues.map((issue) => ({
    path: String(bodyField(issue, "path") ?? ""),
    message: String(bodyField(issue, "message") ?? "invalid"),
  }));
}

/**
 * The one place an unwanted HTTP answer becomes an SDK error. `attempts` is how many tries were made
 * (429 and 503 reach here only once retries are spent).
 */
export function errorFromAnswer(answer: ApiAnswer, attempts: number): RiskqError {
  const code = serverErrorCode(answer.body);
  const message = bodyField(answer.body, "message");
  switch (answer.status) {
    case 400: {
      if (code === "pan_not_allowed") {
        return new RiskqCardNumberRefused(String(bodyField(answer.body, "field") ?? "(unknown)"), "server");
      }
      const issues = issuesOf(answer.body);
      if (issues.length > 0) return new RiskqRequestInvalid(issues, "server");
      // e.g. invalid_json: no field list, but still the caller's request at fault.
      return new RiskqRequestInvalid(
        [],
        "server",
        `riskq refused the request: ${code ?? "400"}${typeof message === "string" ? `: ${message}` : ""}`,
      );
    }
    case 401:
      return new RiskqUnauthorized();
    case 429:
      return new RiskqBacklogFull(retryAfterOf(answer), attempts);
    case 503:
      return new RiskqUnavailable(
        `riskq is unavailable (503) after ${attempts} attempt(s)${typeof message === "string" ? `: ${message}` : ""}`,
        attempts,
      );
    default:
      return new RiskqHttpError(
        answer.status,
        code,
        `riskq answered ${answer.status}${code ? ` (${code})` : ""}${typeof message === "string" ? `: ${message}` : ""}`,
      );
  }
}
