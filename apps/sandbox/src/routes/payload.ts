import type { z } from "zod";
import { invalidParameter } from "../api-error";
import { type AuthenticatedCall, header } from "./route";

/** Parses the JSON payload of a call; wrong content type or malformed JSON → invalid-parameter. */
export function parseJsonBody(call: AuthenticatedCall, contentType: string, text = call.body): unknown {
  const sent = header(call.headers, "content-type")?.split(";")[0]?.trim().toLowerCase();
  if (sent !== contentType) throw invalidParameter(`content-type must be ${contentType}`);
  try {
    return JSON.parse(text);
  } catch {
    throw invalidParameter("body is not valid JSON");
  }
}

/** The first issue of a zod error as "invalid <field path>: <expectation>". */
export function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid request";
  const path = issue.path.reduce<string>(
    (acc, part) =>
      typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    "",
  );
  return `invalid ${path || "body"}: ${issue.message}`;
}
