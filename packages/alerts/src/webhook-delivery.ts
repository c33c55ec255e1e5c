import { createHash } from "node:crypto";

/** Outcome of one POST to one receiver. */
export type DeliveryResult = { ok: true } | { ok: false; error: string };

/**
 * POSTs a JSON body to a webhook. Only a 2xx counts as delivered; anything else (status, timeout,
 * refused connection) is a failure to retry. Errors name the receiver by `receiverLabel` only:
 * Slack webhook URLs carry their token in the path.
 *
 * Redirects are not followed: a receiver (or whoever took over its host) could otherwise send the
 * alert, and its details, to any address, including ones inside our network. A 3xx is a failure.
 */
export async function postWebhook(url: string, body: unknown, timeoutMs: number): Promise<DeliveryResult> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
    // Drain the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return { ok: true };
    const redirected = response.status >= 300 && response.status < 400;
    return {
      ok: false,
      error: `HTTP ${response.status}${redirected ? " (redirects are not followed)" : ""}`,
    };
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { ok: false, error };
  }
}

/** A receiver as it may appear in logs and Redis: its host and a hash, never its path or query. */
export function receiverLabel(url: string): string {
  let host = "invalid-url";
  try {
    host = new URL(url).host;
  } catch {}
  return `${host}#${receiverId(url)}`;
}

/** Stable id of a receiver (hash of its URL), to remember which receivers already have a notice. */
export function receiverId(url: string): string {
  return createHash("sha256").update(url).digest("hex").slice(0, 12);
}
