import type { IncomingHttpHeaders } from "node:http";

/** Methods that may change something: only these need to prove they come from the board's own pages. */
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Why a request must be refused as cross-site, or `undefined` when it may go on.
 *
 * Browsers attach Basic credentials to every request to the dashboard's origin, including a form or
 * fetch on another site that posts here (CSRF). Bull Board's own fetches carry no token, so instead
 * a state-changing request must show it comes from this origin: `Sec-Fetch-Site`, when the browser
 * sends it, must be `same-origin`, and the `Origin` (or, without one, the `Referer`) must name this
 * host. Browsers always send one of those with a POST/PUT/PATCH/DELETE; a script (curl) must add
 * `Origin` itself. The host is compared, not the scheme, so TLS ended at a proxy in front still works.
 */
export function crossSiteReason(method: string, headers: IncomingHttpHeaders): string | undefined {
  if (!STATE_CHANGING.has(method.toUpperCase())) return undefined;
  const fetchSite = headers["sec-fetch-site"];
  if (fetchSite !== undefined && fetchSite !== "same-origin") return `Sec-Fetch-Site is ${String(fetchSite)}`;
  const claimed = headers.origin ?? headers.referer;
  if (claimed === undefined) return "no Origin or Referer header";
  if (headers.host === undefined || !URL.canParse(claimed)) return "the request's origin is unknown";
  const origin = new URL(claimed);
  // Parsed with the origin's own scheme, so a default port written out (":443") compares equal.
  const host = URL.canParse(`${origin.protocol}//${headers.host}`)
    ? new URL(`${origin.protocol}//${headers.host}`).host
    : undefined;
  if (origin.host !== host) return `origin ${origin.origin} is not this dashboard`;
  return undefined;
}
