import type { FieldIssue } from "@riskq/contracts";
import type { z } from "zod";
import { ApiError } from "./api-error";

/** One field error as callers see it: `{ path: "items[3].amount", message: "…" }` (contracts' `fieldIssueSchema`). */
export type { FieldIssue };

/** `["items", 3, "amount"]` → `items[3].amount`, appended to `prefix` (itself already formatted). */
function formatPath(path: readonly PropertyKey[], prefix = ""): string {
  let text = prefix;
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? String(part) : `.${String(part)}`;
  }
  return text;
}

/**
 * Every zod issue as a field error. An unknown-keys issue becomes one error per key, at that key's
 * path: the caller must learn which field the model would have ignored, not just that one exists.
 */
export function fieldIssues(issues: readonly z.core.$ZodIssue[], prefix = ""): FieldIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key], prefix),
        message: `unknown field "${key}": not part of a score request (the model would ignore it)`,
      }));
    }
    return [{ path: formatPath(issue.path, prefix) || "(body)", message: issue.message }];
  });
}

/** 400 `invalid_request` listing every field error. */
export function invalidRequest(issues: readonly FieldIssue[]): ApiError {
  const n = issues.length;
  return new ApiError(400, {
    error: "invalid_request",
    message: `${n} field error${n === 1 ? "" : "s"}`,
    issues: [...issues],
  });
}

/** Parses `value` or throws 400 `invalid_request` with all its issues. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix = ""): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidRequest(fieldIssues(parsed.error.issues, prefix));
  return parsed.data;
}
