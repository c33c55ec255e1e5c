import type { DeadLetter, EnqueuedJob, JobView, ScoreJobResult, ScoreRequestBody } from "@riskq/contracts";

// Examples of the main requests and answers, typed by the same contracts the routes use (and checked
// against the document's schemas by apps/api/test/openapi.test.ts), so they cannot show a stale shape.

export const scoreRequestExample = {
  task: "card_risk",
  item_id: "order-1",
  merchant_id: "2088000000000001",
  amount: "128.50",
  currency: "CNY",
  card_fingerprint: "9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d0f",
  mcc: "5812",
  country: "CN",
  channel: "app",
  occurred_at: "2026-11-20T10:00:00+08:00",
  deadline_ms: 2000,
} satisfies ScoreRequestBody;

const result: ScoreJobResult = {
  item_id: "order-1",
  source: "remote",
  confidence: 0.12,
  risk_score: 12,
  risk_level: "low",
  flagged: false,
  info_code: [],
  model_version: "risk-v3-2026-11",
  cost_usd: 0.0012,
  attempts: 1,
  decided_in_ms: 640,
};

export const queuedJobExample = {
  id: "2088000000000001-order-1",
  item_id: "order-1",
  status: "queued",
  duplicate: false,
} satisfies EnqueuedJob;

export const completedJobExample = { ...queuedJobExample, status: "completed", result } satisfies EnqueuedJob;

export const jobViewExample = {
  id: queuedJobExample.id,
  item_id: "order-1",
  status: "completed",
  result,
} satisfies JobView;

export const deadLetterExample = {
  source_queue: "score",
  job_id: "2088000000000001-order-7",
  payload: { task: "transaction_anomaly", item_id: "order-7", merchant_id: "2088000000000001" },
  reason: "auth_revoked",
  last_error: { code: "auth_revoked", message: "the merchant revoked the app's authorization" },
  attempts: [{ at: 1795600000000, code: "auth_revoked" }],
  first_seen: 1795600000000,
  dead_at: 1795600000000,
  redrive_count: 0,
} satisfies DeadLetter;
