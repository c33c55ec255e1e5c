import {
  batchAnswerSchema,
  deadLetterPageSchema,
  deadLetterSchema,
  enqueuedJobSchema,
  jobViewSchema,
  MAX_ENQUEUE_BATCH,
  onboardedMerchantSchema,
  purgeAnswerSchema,
  recordedOutcomeSchema,
  redriveAnswerSchema,
  riskqErrorBodySchema,
  scoreBatchBodyOf,
  scoreJobResultSchema,
  scoreRequestBodySchema,
} from "@riskq/contracts";
import { deadLetterListQuerySchema, deadLetterSelectionSchema } from "../routes/dead-letters";
import { healthAnswerSchema, readyAnswerSchema } from "../routes/health";
import { onboardMerchantBodySchema } from "../routes/merchants";
import { waitQuerySchema } from "../routes/scores";
import {
  AUTHENTICATED,
  type ErrorExample,
  errorResponses,
  JSON_BODY,
  REQUEST_ID_HEADER,
} from "./error-responses";
import {
  completedJobExample,
  deadLetterExample,
  jobViewExample,
  queuedJobExample,
  scoreRequestExample,
} from "./examples";
import { componentSchemas, type JsonSchema, queryParameters } from "./json-schemas";

// Every schema below is one the routes parse with or answer with (contracts, or the route files'
// own exports): the document is derived from them, never written beside them.
const REQUEST_SCHEMAS = {
  ScoreRequest: scoreRequestBodySchema,
  ScoreBatchRequest: scoreBatchBodyOf(scoreRequestBodySchema),
  DeadLetterSelection: deadLetterSelectionSchema,
  OnboardMerchantRequest: onboardMerchantBodySchema,
};
const ANSWER_SCHEMAS = {
  JobView: jobViewSchema,
  EnqueuedJob: enqueuedJobSchema,
  BatchAnswer: batchAnswerSchema,
  ScoreResult: scoreJobResultSchema,
  RecordedOutcome: recordedOutcomeSchema,
  DeadLetter: deadLetterSchema,
  DeadLetterPage: deadLetterPageSchema,
  RedriveAnswer: redriveAnswerSchema,
  PurgeAnswer: purgeAnswerSchema,
  OnboardedMerchant: onboardedMerchantSchema,
  Health: healthAnswerSchema,
  Ready: readyAnswerSchema,
  Error: riskqErrorBodySchema,
};
type ComponentName = keyof typeof REQUEST_SCHEMAS | keyof typeof ANSWER_SCHEMAS;

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });

/** A JSON answer of a component, with named examples. */
function json(description: string, schema: ComponentName, examples: Record<string, unknown> = {}) {
  return {
    description,
    headers: REQUEST_ID_HEADER,
    content: {
      "application/json": {
        schema: ref(schema),
        ...(Object.keys(examples).length > 0
          ? { examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { value }])) }
          : {}),
      },
    },
  };
}

function jsonBody(schema: ComponentName, examples: Record<string, unknown>) {
  return {
    required: true,
    content: {
      "application/json": {
        schema: ref(schema),
        examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { value }])),
      },
    },
  };
}

const pathId = (description: string, example: string) => ({
  name: "id",
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
  example,
});

const errors = (...codes: ErrorExample[]) => errorResponses(codes);
const NO_AUTH: JsonSchema[] = [];

const ENQUEUE_ERRORS: ErrorExample[] = [
  ...JSON_BODY,
  "pan_not_allowed",
  ...AUTHENTICATED,
  "forbidden_merchant",
  "backlog_full",
  "too_many_waiters",
];
const DEAD_LETTER_ERRORS: ErrorExample[] = [...AUTHENTICATED, "forbidden_role"];

function paths(): Record<string, Record<string, JsonSchema>> {
  const waitQuery = queryParameters(waitQuerySchema);
  return {
    "/v1/scores": {
      post: {
        operationId: "enqueueScore",
        tags: ["scores"],
        summary: "Enqueue one score request",
        description:
          "Enqueues the request as job `<merchant_id>-<item_id>` (the idempotency key: a repeat answers the existing job with `duplicate: true`). Without `wait_ms` the answer is 202 at once; with it, 200 once the job is final, or 202 when the wait is over first. Read the outcome later with GET /v1/scores/{id} or a `callback_url`.",
        parameters: waitQuery,
        requestBody: jsonBody("ScoreRequest", { card_risk: scoreRequestExample }),
        responses: {
          "200": json("With wait_ms: the job is final (completed or dead)", "EnqueuedJob", {
            completed: completedJobExample,
          }),
          "202": json(
            "Enqueued (or a duplicate); with wait_ms, not yet final when the wait ended",
            "EnqueuedJob",
            {
              queued: queuedJobExample,
            },
          ),
          ...errors(...ENQUEUE_ERRORS),
        },
      },
    },
    "/v1/scores/batch": {
      post: {
        operationId: "enqueueScores",
        tags: ["scores"],
        summary: `Enqueue up to ${MAX_ENQUEUE_BATCH} score requests`,
        description:
          "Every item is checked before anything is enqueued, and every item's field errors are reported (`items[3].amount`). Answers the jobs in request order; `wait_ms` as for one request (200 once all are final).",
        parameters: waitQuery,
        requestBody: jsonBody("ScoreBatchRequest", {
          two_items: { items: [scoreRequestExample, { ...scoreRequestExample, item_id: "order-2" }] },
        }),
        responses: {
          "200": json("With wait_ms: every job is final", "BatchAnswer", {
            completed: { jobs: [completedJobExample] },
          }),
          "202": json("Enqueued; with wait_ms, some job was not final when the wait ended", "BatchAnswer", {
            queued: { jobs: [queuedJobExample] },
          }),
          ...errors(...ENQUEUE_ERRORS),
        },
      },
    },
    "/v1/scores/{id}": {
      get: {
        operationId: "getScore",
        tags: ["scores"],
        summary: "Read a score job",
        parameters: [pathId("The job id, `<merchant_id>-<item_id>`", queuedJobExample.id)],
        responses: {
          "200": json("The job; `outcome` stands for result / dead_letter once the job is gone", "JobView", {
            completed: jobViewExample,
          }),
          ...errors("bad_request", ...AUTHENTICATED, "not_found"),
        },
      },
    },
    "/v1/dead-letters": {
      get: {
        operationId: "listDeadLetters",
        tags: ["dead letters"],
        summary: "List dead letters (operators)",
        description: "Newest first, optionally of one reason; limited to the merchants of the key.",
        parameters: queryParameters(deadLetterListQuerySchema),
        responses: {
          "200": json("One page", "DeadLetterPage", {
            page: { total: 1, offset: 0, limit: 50, items: [deadLetterExample] },
          }),
          ...errors("invalid_request", ...DEAD_LETTER_ERRORS),
        },
      },
      delete: {
        operationId: "purgeDeadLetters",
        tags: ["dead letters"],
        summary: "Purge dead letters for good (operators)",
        description: "Deletes the dead letters and their failed jobs; ids that are not dead are skipped.",
        requestBody: jsonBody("DeadLetterSelection", {
          ids: { ids: [deadLetterExample.job_id] },
          reason: { reason: "auth_revoked" },
        }),
        responses: {
          "200": json("The ids purged", "PurgeAnswer", {
            purged: { purged: [deadLetterExample.job_id], count: 1 },
          }),
          ...errors(...JSON_BODY, ...DEAD_LETTER_ERRORS),
        },
      },
    },
    "/v1/dead-letters/redrive": {
      post: {
        operationId: "redriveDeadLetters",
        tags: ["dead letters"],
        summary: "Redrive dead letters (operators)",
        description:
          "The jobs go back to the score queue with their attempts reset; ids that are not dead are skipped, so repeating is harmless.",
        requestBody: jsonBody("DeadLetterSelection", {
          ids: { ids: [deadLetterExample.job_id] },
          reason: { reason: "auth_revoked" },
        }),
        responses: {
          "200": json("The ids redriven", "RedriveAnswer", {
            redriven: { redriven: [deadLetterExample.job_id], count: 1 },
          }),
          ...errors(...JSON_BODY, ...DEAD_LETTER_ERRORS),
        },
      },
    },
    "/v1/dead-letters/{id}": {
      get: {
        operationId: "getDeadLetter",
        tags: ["dead letters"],
        summary: "Read a dead letter (operators)",
        parameters: [pathId("The dead job's id", deadLetterExample.job_id)],
        responses: {
          "200": json("The dead letter (card fingerprints masked)", "DeadLetter", {
            letter: deadLetterExample,
          }),
          ...errors("bad_request", ...DEAD_LETTER_ERRORS, "not_found"),
        },
      },
    },
    "/v1/merchants": {
      post: {
        operationId: "onboardMerchant",
        tags: ["merchants"],
        summary: "Onboard a merchant (operators)",
        description:
          "Exchanges the merchant's one-time auth code for tokens, stored encrypted for the workers; the answer never carries a token.",
        requestBody: jsonBody("OnboardMerchantRequest", {
          onboard: { merchant_id: "2088000000000001", auth_code: "P8f3a1c9e2b7d4f6" },
        }),
        responses: {
          "201": json("Onboarded", "OnboardedMerchant", {
            onboarded: {
              merchant_id: "2088000000000001",
              status: "onboarded",
              token_expires_at: "2026-11-21T10:00:00.000Z",
            },
          }),
          ...errors(
            ...JSON_BODY,
            "pan_not_allowed",
            "invalid_auth_code",
            "auth_code_of_another_merchant",
            ...AUTHENTICATED,
            "forbidden_role",
            "forbidden_merchant",
            "upstream_error",
          ),
        },
      },
    },
    "/healthz": {
      get: {
        operationId: "liveness",
        tags: ["operations"],
        summary: "Liveness: the process answers",
        security: NO_AUTH,
        responses: { "200": json("Alive", "Health"), ...errors("internal") },
      },
    },
    "/readyz": {
      get: {
        operationId: "readiness",
        tags: ["operations"],
        summary: "Readiness: the process can reach Redis",
        security: NO_AUTH,
        responses: { "200": json("Ready", "Ready"), ...errors("internal", "unavailable") },
      },
    },
    "/metrics": {
      get: {
        operationId: "metrics",
        tags: ["operations"],
        summary: "Prometheus metrics (text exposition; served when the API has its metrics)",
        security: NO_AUTH,
        responses: {
          "200": {
            description: "The Prometheus text exposition format",
            headers: REQUEST_ID_HEADER,
            content: { "text/plain": { schema: { type: "string" } } },
          },
          // Redis being down is a reading (riskq_redis_up 0), not a failed scrape.
          ...errors("internal"),
        },
      },
    },
    "/openapi.json": {
      get: {
        operationId: "openApiDocument",
        tags: ["operations"],
        summary: "This document",
        security: NO_AUTH,
        responses: {
          "200": {
            description: "The OpenAPI 3.1 document",
            headers: REQUEST_ID_HEADER,
            content: { "application/json": { schema: { type: "object" } } },
          },
        },
      },
    },
    "/docs": {
      get: {
        operationId: "apiReference",
        tags: ["operations"],
        summary: "Interactive reference of this document (Swagger UI, served locally)",
        security: NO_AUTH,
        responses: {
          "200": {
            description: "An HTML page",
            headers: REQUEST_ID_HEADER,
            content: { "text/html": { schema: { type: "string" } } },
          },
        },
      },
    },
    "/docs/{file}": {
      get: {
        operationId: "apiReferenceAsset",
        tags: ["operations"],
        summary: "The reference page's scripts, style sheet and icons",
        security: NO_AUTH,
        parameters: [{ name: "file", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "200": {
            description: "The file",
            headers: REQUEST_ID_HEADER,
            content: {
              "application/javascript": { schema: { type: "string" } },
              "text/css": { schema: { type: "string" } },
              "image/png": { schema: { type: "string", contentMediaType: "image/png" } },
            },
          },
          ...errors("bad_request", "not_found"),
        },
      },
    },
  };
}

/** The OpenAPI 3.1 document of the riskq HTTP API, built from the routes' own zod schemas. */
export function buildOpenApiDocument(version: string): JsonSchema {
  return {
    openapi: "3.1.0",
    info: {
      title: "riskq API",
      version,
      description:
        "Queue-based scoring of payments through Alipay's AI risk API. Error answers are described in docs/errors.md: match on the `error` code, never on `message`.",
    },
    tags: [
      { name: "scores", description: "Enqueue score requests and read their outcome" },
      { name: "dead letters", description: "Jobs that failed for good (operator keys)" },
      { name: "merchants", description: "Merchant onboarding (operator keys)" },
      { name: "operations", description: "Probes, metrics and this document (no key)" },
    ],
    security: [{ bearer: [] }],
    paths: paths(),
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "One of the API keys of RISKQ_API_KEYS (producer or operator role, per merchant)",
        },
      },
      schemas: {
        ...componentSchemas(REQUEST_SCHEMAS, "input"),
        ...componentSchemas(ANSWER_SCHEMAS, "output"),
      },
    },
  };
}
