import type { JsonSchema } from "./json-schemas";

/** The error codes of docs/errors.md, each with an example answer (its body less `request_id`). */
const EXAMPLES = {
  invalid_json: { status: 400, message: "the body is not valid JSON" },
  invalid_request: {
    status: 400,
    message: "2 field errors",
    issues: [
      { path: "amount", message: 'a decimal string with exactly 2 places, e.g. "128.50"' },
      { path: "merchant_id", message: "16 digits" },
    ],
  },
  pan_not_allowed: {
    status: 400,
    message:
      "this field holds a card number: never send card numbers; send card_fingerprint (a hash of the card) instead",
    field: "item_id",
  },
  invalid_auth_code: { status: 400, message: "the auth code is invalid or already used" },
  auth_code_of_another_merchant: {
    status: 400,
    message:
      "this auth code was not issued by merchant 2088000000000001; ask merchant 2088000000000001 for a new auth code",
  },
  bad_request: { status: 400, message: "the URL could not be decoded" },
  unauthorized: { status: 401, message: "send Authorization: Bearer <your API key (RISKQ_API_KEYS)>" },
  forbidden_merchant: {
    status: 403,
    error: "forbidden",
    message:
      'key "checkout" may not act for merchant 2088000000000002 (items[3].merchant_id): use a key of that merchant',
    field: "items[3].merchant_id",
  },
  forbidden_role: {
    status: 403,
    error: "forbidden",
    message: 'the dead-letter queue needs an API key with the "operator" role; key "checkout" is a producer',
    required_role: "operator",
  },
  not_found: { status: 404, message: 'no score job with id "2088000000000001-order-1"' },
  payload_too_large: { status: 413, message: "the body exceeds 1 MiB; send smaller batches" },
  unsupported_media_type: { status: 415, message: "send Content-Type: application/json" },
  backlog_full: {
    status: 429,
    message: "120000 jobs are waiting (limit 100000); retry after 2 s",
    retry_after_s: 2,
  },
  too_many_waiters: {
    status: 429,
    message:
      "this API process already waits on 5000 jobs (limit 5000, this request 1): retry after 1 s, or send it without wait_ms and read the outcome with GET /v1/scores/{id} or a callback_url",
    retry_after_s: 1,
  },
  internal: { status: 500, message: "unexpected error; it was logged" },
  upstream_error: { status: 502, message: "Alipay did not complete the onboarding (timeout); retry later" },
  unavailable: {
    status: 503,
    message:
      "Redis is not reachable; retry shortly (repeating a request is safe: job ids are idempotency keys)",
  },
} as const;

export type ErrorExample = keyof typeof EXAMPLES;

const DESCRIPTIONS: Record<number, string> = {
  400: "The request is malformed or invalid (invalid_request lists every field error in `issues`)",
  401: "No or a wrong bearer key (unauthorized)",
  403: "The key may not do this (forbidden): another merchant's request (`field`), or an operator route (`required_role`)",
  404: "No such resource (not_found); another merchant's job or dead letter answers the same",
  413: "The body is over 1 MiB (payload_too_large)",
  415: "The body's Content-Type is one the API cannot read (unsupported_media_type): send application/json",
  429: "Too busy: backlog_full or too_many_waiters; retry after `Retry-After` seconds",
  500: "An unexpected error, logged with its request_id (internal)",
  502: "Alipay could not be reached or answered wrongly (upstream_error)",
  503: "Redis is not reachable (unavailable); retry after `Retry-After` seconds, which is safe",
};

const retryAfter = {
  description: "Seconds to wait before retrying",
  schema: { type: "string", pattern: "^\\d+$" },
};

const HEADERS: Record<number, Record<string, JsonSchema>> = {
  401: { "WWW-Authenticate": { description: 'Bearer realm="riskq"', schema: { type: "string" } } },
  429: { "Retry-After": { ...retryAfter, required: true } },
  503: { "Retry-After": retryAfter },
};

/** The `x-request-id` answer header every answer carries (docs/errors.md, Request ids). */
export const REQUEST_ID_HEADER = {
  "x-request-id": {
    description: "The request's id: the caller's own x-request-id when acceptable, else a fresh UUID",
    schema: { type: "string" },
  },
};

/**
 * The OpenAPI responses of these error codes, grouped by status: the `Error` component as schema,
 * one example per code, and the headers that status carries (Retry-After, WWW-Authenticate).
 */
export function errorResponses(codes: readonly ErrorExample[]): Record<string, JsonSchema> {
  const byStatus = new Map<number, ErrorExample[]>();
  for (const code of codes) {
    const { status } = EXAMPLES[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, group]) => [
      String(status),
      {
        description: DESCRIPTIONS[status] ?? "An error",
        headers: { ...REQUEST_ID_HEADER, ...HEADERS[status] },
        content: {
          "application/json": {
            schema: { $ref: "#/components/schemas/Error" },
            examples: Object.fromEntries(group.map((code) => [code, { value: exampleBody(code) }])),
          },
        },
      },
    ]),
  );
}

function exampleBody(code: ErrorExample): JsonSchema {
  const { status: _status, ...example } = EXAMPLES[code] as { status: number; error?: string };
  return { error: code, ...example, request_id: "3f0c9a6e-5b1d-4c2e-9f7a-1d2e3f4a5b6c" };
}

/** Errors any authenticated route can answer. */
export const AUTHENTICATED: readonly ErrorExample[] = ["unauthorized", "internal", "unavailable"];
/** Errors of routes that read a JSON body. */
export const JSON_BODY: readonly ErrorExample[] = [
  "invalid_json",
  "invalid_request",
  "bad_request",
  "payload_too_large",
  "unsupported_media_type",
];
