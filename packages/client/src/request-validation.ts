import { findCardNumber, type ScoreRequestBody, scoreRequestBodySchema } from "@riskq/contracts";
import type { z } from "zod";
import { RiskqCardNumberRefused, type RiskqIssue, RiskqRequestInvalid } from "./errors";

/** `["items", 3, "amount"]` → `items[3].amount`, the way the API names fields. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? String(part) : `.${String(part)}`;
  }
  return text;
}

function issuesOf(error: z.ZodError, prefix: ReadonlyArray<PropertyKey>): RiskqIssue[] {
  return error.issues.flatMap((issue) => {
    // One issue per unknown field, named, so the caller sees which of its fields would be ignored.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: formatPath([...prefix, ...issue.path, key]),
        message: "unknown field (the model would ignore it)",
      }));
    }
    return [{ path: formatPath([...prefix, ...issue.path]), message: issue.message }];
  });
}

/**
 * Checks score requests as the API will, before anything is sent: first for card numbers anywhere
 * (keys included), then against the strict request schema (unknown fields refused). One request is
 * named by field (`amount`); several as the batch endpoint names them (`items[3].amount`).
 *
 * @throws RiskqCardNumberRefused naming the first field holding a card number.
 * @throws RiskqRequestInvalid listing every field error of every request.
 */
export function validateScoreRequests(requests: readonly unknown[], asBatch: boolean): ScoreRequestBody[] {
  // Card numbers first, like the server: they must be refused even inside otherwise invalid input.
  const cardField = asBatch ? findCardNumber({ items: requests }) : findCardNumber(requests[0]);
  if (cardField !== undefined) throw new RiskqCardNumberRefused(cardField, "local");

  const parsed: ScoreRequestBody[] = [];
  const issues: RiskqIssue[] = [];
  requests.forEach((request, i) => {
    const result = scoreRequestBodySchema.safeParse(request);
    if (result.success) parsed.push(result.data);
    else issues.push(...issuesOf(result.error, asBatch ? ["items", i] : []));
  });
  if (issues.length > 0) throw new RiskqRequestInvalid(issues, "local");
  return parsed;
}
