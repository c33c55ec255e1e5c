import { type Span, SpanStatusCode } from "@opentelemetry/api";

/**
 * Marks a span failed by `err`'s kind only: its `code` (riskq's and Alipay's error codes) or class
 * name as `error.type`. Never the message or stack: messages may quote remote answers or payload
 * fields, and nothing of a request body may reach a span.
 */
export function markFailed(span: Span, err: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.setAttribute("error.type", errorType(err));
}

function errorType(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^[\w.-]{1,64}$/.test(code)) return code;
  if (err instanceof Error && /^\w{1,64}$/.test(err.name)) return err.name;
  return "_OTHER";
}
