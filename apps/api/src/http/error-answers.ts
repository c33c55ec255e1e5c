import type { Logger } from "@riskq/observability";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { ApiError } from "./api-error";
import { isRedisUnavailable, redisUnavailable } from "./redis-unavailable";

// Fastify's own request errors, by code, as the API's error bodies.
const FASTIFY_ERRORS: Record<string, () => ApiError> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () =>
    new ApiError(400, { error: "invalid_json", message: "the body is not valid JSON" }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    new ApiError(400, { error: "invalid_json", message: "the body is empty; send a JSON object" }),
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new ApiError(413, {
      error: "payload_too_large",
      message: "the body exceeds 1 MiB; send smaller batches",
    }),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new ApiError(415, { error: "unsupported_media_type", message: "send Content-Type: application/json" }),
  // A path parameter over `maxParamLength` (an id no job can have): Fastify's own answer was a 414
  // echoing the whole URL. No resource has such an id, so it is simply not found.
  FST_ERR_MAX_PARAM_LENGTH: () =>
    new ApiError(404, { error: "not_found", message: "no such resource (the id is too long to exist)" }),
  FST_ERR_BAD_URL: () => new ApiError(400, { error: "bad_request", message: "the URL could not be decoded" }),
};

/** What an error becomes on the wire: a known answer, or a bare 500 (details go to the log only). */
function answerFor(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (isRedisUnavailable(err)) return redisUnavailable();
  const fastifyError = err as Partial<FastifyError>;
  const known = fastifyError.code ? FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (known) return known();
  // Other client errors of Fastify's (bad content length, proto poisoning…): say only that.
  const status = fastifyError.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return new ApiError(status, { error: "bad_request", message: "the request could not be read" });
  }
  return undefined;
}

/** Every error body names its request (as does `x-request-id`), for callers to quote (docs/errors.md). */
function send(reply: FastifyReply, answer: ApiError): FastifyReply {
  return reply
    .code(answer.status)
    .headers(answer.headers)
    .send({ ...answer.body, request_id: reply.request.id });
}

/**
 * Fastify's `frameworkErrors` option: errors met while routing, before any handler or the error
 * handler exists for the request (a too-long path parameter, an undecodable URL), answered in the
 * API's shape instead of Fastify's (which echoes the URL).
 */
export function answerFrameworkError(err: FastifyError, _request: unknown, reply: FastifyReply): void {
  send(
    reply,
    answerFor(err) ?? new ApiError(400, { error: "bad_request", message: "the request could not be read" }),
  );
}

/**
 * Every error answers with a JSON body and never with a stack trace: known ones with their code,
 * the rest as a bare 500 logged here. Unknown routes answer 404 JSON.
 */
export function installErrorAnswers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((err, request, reply) => {
    const answer = answerFor(err);
    if (answer) {
      if (answer.status === 503) {
        logger.warn({ request_id: request.id, route: request.routeOptions.url }, "Redis unavailable: 503");
      }
      return send(reply, answer);
    }
    logger.error(
      { err, request_id: request.id, route: request.routeOptions.url, method: request.method },
      "unexpected error",
    );
    return send(reply, new ApiError(500, { error: "internal", message: "unexpected error; it was logged" }));
  });
  app.setNotFoundHandler((request, reply) =>
    send(
      reply,
      new ApiError(404, {
        error: "not_found",
        message: `no route ${request.method} ${request.url.split("?")[0]}`,
      }),
    ),
  );
}
