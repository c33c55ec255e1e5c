import { Agent, fetch as undiciFetch } from "undici";
import type { CallbackBody, CallbackDelivery } from "./callback-payload";
import { CALLBACK_HEADERS, callbackSecretFor, signCallback } from "./callback-signature";
import {
  type CallbackDestinationPolicy,
  callbackUrlProblem,
  DEFAULT_DESTINATION_POLICY,
} from "./callback-url-check";
import { DestinationRefused, guardedLookup } from "./guarded-lookup";

export interface DeliverOptions {
  /**
   * The master secret (RISKQ_CALLBACK_SECRET): each delivery is signed with the secret derived from
   * it for the key that submitted the job (`callbackSecretFor`), or with it for jobs of no key.
   */
  secret: string;
  /** Per attempt; a receiver slower than this counts as down (default 5 s). */
  timeoutMs?: number | undefined;
  /** Where callbacks may go (default: no private destination opened, http allowed). */
  destinations?: CallbackDestinationPolicy | undefined;
  now?: () => number;
}

/**
 * How a failed attempt is retried. `transient`: the receiver may be down or busy (network error,
 * timeout, 5xx, 408, 429) — retried with the full budget. `rejected`: it answered, but not with 2xx
 * (another 4xx, or a 3xx we refuse to follow) — most likely a wrong URL or a receiver that refuses
 * our signature, which a deploy may still fix, so it gets a few attempts only. `invalid`: not an
 * http(s) URL at all (the API refuses those; this guards jobs written some other way) — never retried.
 * `refused`: the destination is one callbacks may not reach (loopback, private, metadata…, see
 * refusedAddressReason), judged on the URL and again on the address actually connected to — never
 * retried either: a job accepted before the rules (or before a DNS change) must not get through later.
 */
export type CallbackFailureKind = "transient" | "rejected" | "invalid" | "refused";

/** A delivery attempt that did not get a 2xx. Its message names no URL, body or secret. */
export class CallbackFailed extends Error {
  override readonly name = "CallbackFailed";
  constructor(
    readonly kind: CallbackFailureKind,
    message: string,
    /** The receiver's status, when it answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The failure kind of a non-2xx status. */
export function failureKindOf(status: number): CallbackFailureKind {
  return status >= 500 || status === 408 || status === 429 ? "transient" : "rejected";
}

/**
 * One attempt: POSTs the signed body to the delivery's URL. Resolves with the status on 2xx, throws
 * CallbackFailed otherwise. Redirects are not followed: the receiver was chosen by the caller who
 * submitted the job, and following a 3xx would send results (and a valid signature) to whatever
 * host it names.
 */
export async function deliverCallback(
  delivery: CallbackDelivery,
  options: DeliverOptions,
): Promise<{ status: number }> {
  if (!isHttpUrl(delivery.callback_url))
    throw new CallbackFailed("invalid", "callback_url is not an http(s) URL");
  const destinations = options.destinations ?? DEFAULT_DESTINATION_POLICY;
  const problem = callbackUrlProblem(delivery.callback_url, destinations);
  if (problem) throw new CallbackFailed("refused", `callback destination refused: ${problem}`);
  const timestamp = (options.now ?? Date.now)();
  const body: CallbackBody = { ...delivery.body, delivered_at: timestamp };
  const raw = JSON.stringify(body);
  const timeoutMs = options.timeoutMs ?? 5_000;
  let response: Awaited<ReturnType<typeof undiciFetch>>;
  try {
    response = await undiciFetch(delivery.callback_url, {
      method: "POST",
      dispatcher: guardedAgent(destinations),
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        "content-type": "application/json",
        [CALLBACK_HEADERS.event]: body.event,
        [CALLBACK_HEADERS.jobId]: delivery.job_id,
        [CALLBACK_HEADERS.timestamp]: String(timestamp),
        [CALLBACK_HEADERS.signature]: signCallback(
          callbackSecretFor(options.secret, delivery.submitted_by),
          timestamp,
          delivery.callback_url,
          raw,
        ),
        ...(delivery.submitted_by === undefined
          ? {}
          : { [CALLBACK_HEADERS.submittedBy]: delivery.submitted_by }),
      },
      body: raw,
    });
  } catch (err) {
    const cause = err instanceof Error ? err.cause : undefined;
    if (cause instanceof DestinationRefused)
      throw new CallbackFailed("refused", `callback destination refused: ${cause.message}`);
    throw new CallbackFailed("transient", networkProblem(err, timeoutMs));
  }
  // The answer's body is never needed; dropping it frees the connection for the next delivery.
  await response.body?.cancel().catch(() => undefined);
  if (response.status >= 200 && response.status < 300) return { status: response.status };
  throw new CallbackFailed(
    failureKindOf(response.status),
    `receiver answered ${response.status}`,
    response.status,
  );
}

// One connection pool per policy (a worker has one): every socket it opens resolves through the guard.
const agents = new WeakMap<CallbackDestinationPolicy, Agent>();
function guardedAgent(policy: CallbackDestinationPolicy): Agent {
  let agent = agents.get(policy);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(policy.allowList, policy.resolve) } });
    agents.set(policy, agent);
  }
  return agent;
}

/** A network failure in a few words: the error code, never the URL (it may embed a token). */
function networkProblem(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return `network error (${typeof cause?.code === "string" ? cause.code : "unknown"})`;
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
