import type { AlertmanagerAlert } from "./alertmanager-alert";
import type { DeliveryResult } from "./webhook-delivery";

/** Alerts per POST: with the alerts' bounded fields, a body stays well under a megabyte. */
const ALERTS_PER_POST = 50;
/** Of an answer, only this much is read (for the error message): a receiver cannot flood us. */
const MAX_ANSWER_BYTES = 4_096;

/**
 * POSTs alerts to one Alertmanager's v2 API (`<base>/api/v2/alerts`), in chunks of
 * `ALERTS_PER_POST`. Only a 2xx counts; a redirect is a failure, not followed (as for webhooks: the
 * alerts must not be sent wherever a 3xx points). Errors name the Alertmanager by host only: its URL
 * may carry basic-auth credentials.
 */
export async function postAlertmanager(
  baseUrl: string,
  alerts: readonly AlertmanagerAlert[],
  timeoutMs: number,
): Promise<DeliveryResult> {
  const url = alertsEndpoint(baseUrl);
  for (let i = 0; i < alerts.length; i += ALERTS_PER_POST) {
    const result = await postChunk(url, alerts.slice(i, i + ALERTS_PER_POST), timeoutMs);
    if (!result.ok) return result;
  }
  return { ok: true };
}

/** `<base>/api/v2/alerts`, whether the base ends with a slash or not (and keeps a path prefix). */
function alertsEndpoint(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/api/v2/alerts`;
  return url.toString();
}

async function postChunk(url: string, alerts: readonly AlertmanagerAlert[], timeoutMs: number) {
  const parsed = new URL(url);
  const headers: Record<string, string> = { "content-type": "application/json" };
  // fetch refuses URLs with credentials: send them as basic auth instead.
  if (parsed.username || parsed.password) {
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    parsed.username = "";
    parsed.password = "";
  }
  try {
    const response = await fetch(parsed, {
      method: "POST",
      headers,
      body: JSON.stringify(alerts),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
    const answer = await readAtMost(response, MAX_ANSWER_BYTES);
    if (response.ok) return { ok: true } as const;
    const redirected = response.status >= 300 && response.status < 400;
    const detail = redirected ? " (redirects are not followed)" : answer ? `: ${answer.slice(0, 300)}` : "";
    return { ok: false, error: `${parsed.host}: HTTP ${response.status}${detail}` } as const;
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { ok: false, error: `${parsed.host}: ${error}` } as const;
  }
}

/** The first `max` bytes of a response body as text; the rest is not downloaded. */
async function readAtMost(response: Response, max: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short tells nothing more than the status.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString("utf8");
}
