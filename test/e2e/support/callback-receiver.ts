import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { CALLBACK_HEADERS, type CallbackBody, callbackSecretFor, verifyCallback } from "@riskq/pipeline";

/** One POST as a service's receiver would see it, with the checks a receiver makes. */
interface ReceivedCallback {
  /** The `x-riskq-job-id` header. */
  jobId: string;
  event: CallbackBody["event"];
  /**
   * HMAC over `<timestamp>.<url>.<raw body>` with the submitting key's callback secret, as
   * docs/pipeline.md ("Result callbacks") tells receivers.
   */
  signatureValid: boolean;
  /** The header's job id is the body's `id`, and the header's event the body's. */
  consistent: boolean;
  /** A completed job's result names its own item (the job id ends with it). */
  resultOwnItem: boolean | undefined;
  /** A dead job's dead-letter reason. */
  deadReason: string | undefined;
  at: number;
}

/** What the receiver still misses, per job id, when a run is over. */
export interface CallbackGaps {
  /** Expected jobs without any delivery of the expected event that passed every check. */
  missing: string[];
  /** Deliveries whose signature did not verify, or whose headers and body disagree. */
  invalid: ReceivedCallback[];
  /** Deliveries for job ids the test never enqueued. */
  unexpected: string[];
}

/**
 * A local `node:http` result-callback receiver: answers 200 (or, for a share of first attempts, 503,
 * so that retries happen too), verifies every signature, and records deliveries by job id.
 */
export interface CallbackReceiver {
  url: string;
  /** Every delivery, by job id, in arrival order. */
  readonly byJob: ReadonlyMap<string, readonly ReceivedCallback[]>;
  /** Deliveries received (duplicates and refused first attempts included). */
  readonly total: number;
  /** First attempts answered 503 on purpose. */
  readonly refused: number;
  /** Ids whose deliveries include a valid one of `event` (default: any event). */
  deliveredIds(event?: CallbackBody["event"]): Set<string>;
  /** Checks the deliveries against what the test expects each job's outcome to be. */
  gaps(expected: ReadonlyMap<string, CallbackBody["event"] | "any">): CallbackGaps;
  /** Polls until every expected id has its delivery; resolves with the gaps left when the time is up. */
  waitForAll(
    expected: ReadonlyMap<string, CallbackBody["event"] | "any">,
    timeoutMs: number,
  ): Promise<CallbackGaps>;
  close(): Promise<void>;
}

export interface CallbackReceiverOptions {
  /**
   * RISKQ_CALLBACK_SECRET of the workers. A real receiver holds only its key's callback secret; this
   * one derives it for whichever key the `x-riskq-submitted-by` header names.
   */
  secret: string;
  /** Share of job ids whose first delivery is answered 503 (default 0). */
  refuseFirstShare?: number;
}

export async function startCallbackReceiver(options: CallbackReceiverOptions): Promise<CallbackReceiver> {
  const byJob = new Map<string, ReceivedCallback[]>();
  let total = 0;
  let refused = 0;
  const refuseFirst = (jobId: string) =>
    (options.refuseFirstShare ?? 0) > 0 && hashShare(jobId) < (options.refuseFirstShare ?? 0);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const header = (name: string) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const jobId = header(CALLBACK_HEADERS.jobId) ?? "";
      let body: CallbackBody | undefined;
      try {
        body = JSON.parse(rawBody) as CallbackBody;
      } catch {
        body = undefined;
      }
      const signatureValid = verifyCallback(
        callbackSecretFor(options.secret, header(CALLBACK_HEADERS.submittedBy)),
        {
          timestamp: header(CALLBACK_HEADERS.timestamp),
          signature: header(CALLBACK_HEADERS.signature),
          url: `http://${header("host")}${req.url}`,
          rawBody,
        },
      );
      const event = body?.event ?? ("unknown" as CallbackBody["event"]);
      const record: ReceivedCallback = {
        jobId,
        event,
        signatureValid,
        consistent: body !== undefined && body.id === jobId && header(CALLBACK_HEADERS.event) === body.event,
        resultOwnItem: body?.result ? jobId.endsWith(`-${body.result.item_id}`) : undefined,
        deadReason: body?.dead_letter?.reason,
        at: Date.now(),
      };
      const seen = byJob.get(jobId) ?? [];
      seen.push(record);
      byJob.set(jobId, seen);
      total += 1;
      if (seen.length === 1 && refuseFirst(jobId)) {
        refused += 1;
        res.writeHead(503).end("try again");
        return;
      }
      res.writeHead(200).end("ok");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  const valid = (r: ReceivedCallback) => r.signatureValid && r.consistent && r.resultOwnItem !== false;
  /** A first delivery refused on purpose was not received, as far as the sender could tell. */
  const accepted = (jobId: string, index: number) => !(index === 0 && refuseFirst(jobId));

  const gaps = (expected: ReadonlyMap<string, CallbackBody["event"] | "any">): CallbackGaps => {
    const missing: string[] = [];
    for (const [jobId, event] of expected) {
      const ok = (byJob.get(jobId) ?? []).some(
        (r, i) => valid(r) && accepted(jobId, i) && (event === "any" || r.event === event),
      );
      if (!ok) missing.push(jobId);
    }
    const invalid = [...byJob.values()].flat().filter((r) => !valid(r));
    const unexpected = [...byJob.keys()].filter((id) => !expected.has(id));
    return { missing, invalid, unexpected };
  };

  return {
    url: `http://127.0.0.1:${port}/riskq-callbacks`,
    byJob,
    get total() {
      return total;
    },
    get refused() {
      return refused;
    },
    deliveredIds(event) {
      const ids = new Set<string>();
      for (const [jobId, records] of byJob) {
        if (records.some((r, i) => valid(r) && accepted(jobId, i) && (!event || r.event === event))) {
          ids.add(jobId);
        }
      }
      return ids;
    },
    gaps,
    async waitForAll(expected, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = gaps(expected);
        if (found.missing.length === 0 || Date.now() >= deadline) return found;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close").catch(() => undefined);
    },
  };
}

/** A stable number in [0, 1) per job id, so "which first attempts are refused" does not depend on order. */
function hashShare(jobId: string): number {
  let h = 2166136261;
  for (let i = 0; i < jobId.length; i++) h = Math.imul(h ^ jobId.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}
