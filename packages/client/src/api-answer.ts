/** An HTTP answer from riskq, its body parsed as JSON when it is JSON (the raw text otherwise). */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** The `error` field of an error body (`{ error: "backlog_full", … }`), when there is one. */
export function serverErrorCode(body: unknown): string | undefined {
  if (body !== null && typeof body === "object" && "error" in body && typeof body.error === "string") {
    return body.error;
  }
  return undefined;
}

/** A field of a JSON object body, or undefined. */
export function bodyField(body: unknown, field: string): unknown {
  return body !== null && typeof body === "object" ? (body as Record<string, unknown>)[field] : undefined;
}

export function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
