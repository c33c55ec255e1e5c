import { Agent, request } from "node:http";
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
  /** Why no answer came (ECONNRESET, a client timeout…); undefined when one came. */
  error?: string;
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
/** Idle keep-alive sockets are closed after this, below the API's 5-s keep-alive timeout. */
const IDLE_SOCKET_MS = 4_000;

/**
 * Keep-alive connections, as many as there are requests in flight (none waits for a free socket:
 * that would be the caller's delay, not riskq's). node:http rather than fetch: fetch costs a few
 * times its CPU per request, which on a 2-core machine would be taken from riskq itself.
 *
 * An idle connection is closed by the caller after 4 s, as fetch (undici) does by default: before
 * the API closes it (5 s, announced in its Keep-Alive header). An agent that keeps idle sockets
 * longer races the server's close — a request written just as the server closes the socket meets
 * ECONNRESET, and the sockets the storm opened all reach 5 s idle at about the burst's start.
 */
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, timeout: IDLE_SOCKET_MS });

/** Closes the idle connections (the bench's process can then exit). */
export function closeCallerConnections(): void {
  agent.destroy();
}

/** POSTs JSON to the API: the status and the body text; rejects on a connection error or timeout. */
function postJson(url: string, apiKey: string, body: unknown): Promise<{ status: number; text: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        timeout: CLIENT_TIMEOUT_MS,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
          authorization: `Bearer ${apiKey}`,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${CLIENT_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/**
 * `POST /v1/scores?wait_ms=…` for one payment, the way a synchronous caller holds it: over a
 * keep-alive connection, the answer read in full. Never throws: every outcome is a record.
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
    const { status, text } = await postJson(
      `${target.url}/v1/scores?wait_ms=${target.waitMs}`,
      target.apiKey,
      body,
    );
    record.answeredAt = timing.now();
    record.status = status;
    if (status === 200 || status === 202) Object.assign(record, jobFields(JSON.parse(text)));
  } catch (error) {
    // No answer: status 0, answeredAt undefined, and why.
    record.error = errorKind(error);
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
    const { status, text } = await postJson(
      `${target.url}/v1/scores/batch?wait_ms=${target.waitMs}`,
      target.apiKey,
      { items },
    );
    call.answeredAt = now();
    call.status = status;
    if (status === 200 || status === 202) {
      const { jobs } = JSON.parse(text) as { jobs: JobAnswer[] };
      call.jobs = jobs.map(jobFields);
    }
  } catch {
    // No answer: status 0.
  }
  return call;
}

/** A short, countable name of a request's failure: the system error code, else the message's start. */
function errorKind(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? (error instanceof Error ? error.message.slice(0, 40) : String(error).slice(0, 40));
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
