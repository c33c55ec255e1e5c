import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";

/** The header a request id arrives in (from a proxy or a caller) and is answered in. */
export const REQUEST_ID_HEADER = "x-request-id";

// Short and plain: the id lands in log lines and answers, so a caller's value must not be able to
// forge log structure, smuggle markup or bloat every line. Anything else is replaced, not trimmed.
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The caller's `x-request-id` when it is short and of a safe charset, else a fresh UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? undefined : header;
  return value !== undefined && ACCEPTED_ID.test(value) ? value : randomUUID();
}

/**
 * Fastify options that make `request.id` the request id: Fastify's own `requestIdHeader` would take
 * any header value as it is, so the header is read here and checked instead.
 */
export function requestIdOptions() {
  return {
    requestIdHeader: false as const,
    genReqId: (raw: IncomingMessage) => requestIdOf(raw.headers[REQUEST_ID_HEADER]),
  };
}

/**
 * Answers every request of `app` (routes, 404s, errors, refusals of hooks) with its id in
 * `x-request-id`, so a caller can quote it and an operator find the log line. Register it before
 * hooks that may answer early: onSend runs for every answer, whoever sends it.
 */
export function installRequestId(app: FastifyInstance): void {
  app.addHook("onSend", async (request, reply, payload) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    return payload;
  });
}

/** The fields every request log line starts with (route pattern only, never the raw URL). */
export function requestLogFields(
  request: FastifyRequest,
  reply: { statusCode: number; elapsedTime: number },
) {
  return {
    request_id: request.id,
    method: request.method,
    route: request.routeOptions.url ?? "(no route)",
    status: reply.statusCode,
    ms: Math.round(reply.elapsedTime),
  };
}
