import type { ScoreRequestBody } from "@riskq/contracts";

/** One synchronous payment caller's request, as the bench saw it (times in ms since traffic start). */
export interface CallRecord {
  /** Index of the merchant that sent it. */
  merchant: number;
  /** When the open-loop schedule meant to send it, and when it really went out. */
  scheduledAt: number;
  sentAt: number;
  /** When the answer's body was read; undefined when none came (connection error, client timeout). */
  answeredAt: number | undefined;
  /** HTTP status; 0 when no answer came. */
  status: number;
  /** The job's status in the answer (`completed`, `dead`, `queued`, `active`). */
  jobStatus: string | undefined;
  source: string | undefined;
  degradedReason: string | undefined;
  /** The result's own enqueue→decision time, when the workers report it. */
  decidedInMs: number | undefined;
}

/** What the API answers for one job (the fields the bench reads). */
interface JobAnswer {
  status?: string;
  result?: { source?: string; degraded_reason?: string; decided_in_ms?: number };
}

export interface ApiTarget {
  url: string;
  apiKey: string;
  /** `?wait_ms` of every request: how long a caller is prepared to hold the payment. */
  waitMs: number;
}

/** Far above `wait_ms`: a request this late is reported as unanswered rather than waited for. */
const CLIENT_TIMEOUT_MS = 10_000;

const headers = (apiKey: string) => ({
  "content-type": "application/json",
  authorization: `Bearer ${apiKey}`,
});

/**
 * `POST /v1/scores?wait_ms=…` for one payment, the way a synchronous caller holds it: global fetch
 * (undici, keep-alive), the answer read in full. Never throws: every outcome is a record.
 */
export async function callScore(
  target: ApiTarget,
  body: ScoreRequestBody,
  timing: { merchant: number; scheduledAt: number; now: () => number },
): Promise<CallRecord> {
  const record: CallRecord = {
    merchant: timing.merchant,
    scheduledAt: timing.scheduledAt,
    sentAt: timing.now(),
    answeredAt: undefined,
    status: 0,
    jobStatus: undefined,
    source: undefined,
    degradedReason: undefined,
    decidedInMs: undefined,
  };
  try {
    const res = await fetch(`${target.url}/v1/scores?wait_ms=${target.waitMs}`, {
      method: "POST",
      headers: headers(target.apiKey),
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    const text = await res.text();
    record.answeredAt = timing.now();
    record.status = res.status;
    if (res.status === 200 || res.status === 202) Object.assign(record, jobFields(JSON.parse(text)));
  } catch {
    // No answer: status 0, answeredAt undefined.
  }
  return record;
}

/** One `POST /v1/scores/batch?wait_ms=…`: its status, its round trip and each job's answer. */
export interface BatchCall {
  status: number;
  sentAt: number;
  answeredAt: number | undefined;
  jobs: Array<Pick<CallRecord, "jobStatus" | "source" | "degradedReason" | "decidedInMs">>;
}

export async function callScoreBatch(
  target: ApiTarget,
  items: readonly ScoreRequestBody[],
  now: () => number,
): Promise<BatchCall> {
  const call: BatchCall = { status: 0, sentAt: now(), answeredAt: undefined, jobs: [] };
  try {
    const res = await fetch(`${target.url}/v1/scores/batch?wait_ms=${target.waitMs}`, {
      method: "POST",
      headers: headers(target.apiKey),
      body: JSON.stringify({ items }),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    const text = await res.text();
    call.answeredAt = now();
    call.status = res.status;
    if (res.status === 200 || res.status === 202) {
      const { jobs } = JSON.parse(text) as { jobs: JobAnswer[] };
      call.jobs = jobs.map(jobFields);
    }
  } catch {
    // No answer: status 0.
  }
  return call;
}

function jobFields(
  job: JobAnswer,
): Pick<CallRecord, "jobStatus" | "source" | "degradedReason" | "decidedInMs"> {
  return {
    jobStatus: job.status,
    source: job.result?.source,
    degradedReason: job.result?.degraded_reason,
    decidedInMs: job.result?.decided_in_ms,
  };
}
