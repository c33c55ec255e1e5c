import { type Link, markFailed, SpanKind, tracer } from "@riskq/tracing";
import { AlipayError } from "../errors/alipay-error";
import type { SignedCallResponse } from "./signed-call";

/** What the CLIENT span of one remote call is made of: never a body, token, key or signature. */
export interface CallSpanRequest {
  operation: string;
  method: "GET" | "POST";
  /** `/v3/alipay/...`: the span's name and `url.path`. */
  path: string;
  merchantId?: string | undefined;
  /** Items sent (batch predict). */
  items?: number | undefined;
  /** The jobs a batch call answers (README: Tracing, "batch links"). */
  links?: readonly Link[] | undefined;
}

/**
 * Runs one remote call (retries of it are calls of their own) inside a CLIENT span named after the
 * method and path, a child of the active span — for a batch, the first job's (see the worker's
 * batch-call). Only the endpoint's host, the path, status codes and Alipay's trace id are recorded.
 */
export async function inCallSpan(
  endpoint: URL,
  req: CallSpanRequest,
  run: () => Promise<SignedCallResponse>,
): Promise<SignedCallResponse> {
  const path = req.path.split("?")[0]!;
  const span = tracer.startSpan(`${req.method} ${path}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      "http.request.method": req.method,
      "url.path": path,
      "server.address": endpoint.hostname,
      "server.port": Number(endpoint.port) || (endpoint.protocol === "https:" ? 443 : 80),
      "riskq.alipay.operation": req.operation,
      ...(req.merchantId === undefined ? {} : { "riskq.merchant_id": req.merchantId }),
      ...(req.items === undefined ? {} : { "riskq.alipay.items": req.items }),
    },
    ...(req.links && req.links.length > 0 ? { links: [...req.links] } : {}),
  });
  try {
    const res = await run();
    span.setAttribute("http.response.status_code", res.status);
    if (res.traceId) span.setAttribute("alipay.trace_id", res.traceId);
    return res;
  } catch (err) {
    if (err instanceof AlipayError) {
      if (err.httpStatus !== undefined) span.setAttribute("http.response.status_code", err.httpStatus);
      if (err.remoteCode !== undefined) span.setAttribute("alipay.error_code", err.remoteCode);
    }
    markFailed(span, err);
    throw err;
  } finally {
    span.end();
  }
}
