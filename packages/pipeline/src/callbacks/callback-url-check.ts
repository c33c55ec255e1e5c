import { isIpLiteral, refusedAddressReason } from "./address-rules";
import {
  type CallbackAllowList,
  canonicalHost,
  EMPTY_ALLOW_LIST,
  isAllowedHost,
} from "./callback-allow-list";
import type { ResolveAll } from "./guarded-lookup";

/** Where callbacks may go: what the operator opened, and whether plain http is still acceptable. */
export interface CallbackDestinationPolicy {
  allowList: CallbackAllowList;
  /** NODE_ENV=production: plain http only to hosts the allow-list names (results travel signed, not sealed). */
  requireHttps: boolean;
  /** Stands in for DNS (dns.lookup): tests make a name resolve to loopback without touching DNS. */
  resolve?: ResolveAll;
}

/** Nothing opened, http allowed: the default of packages (apps derive theirs from their env). */
export const DEFAULT_DESTINATION_POLICY: CallbackDestinationPolicy = {
  allowList: EMPTY_ALLOW_LIST,
  requireHttps: false,
};

/** Names that reach the local host or a metadata service whatever DNS says (RFC 6761, GCP). */
function isLocalName(host: string): boolean {
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "metadata.google.internal" ||
    host === "metadata"
  );
}

/**
 * Why this callback URL may not be used, or undefined. Checks what the URL alone tells: scheme,
 * credentials, https in production, and the host when it is an IP literal (the WHATWG parser has
 * already turned 0x7f000001, 2130706433, 017700000001 and 127.1 into 127.0.0.1). A hostname is
 * judged by the address it resolves to, at connect time (see guardedLookup); this check cannot.
 */
export function callbackUrlProblem(text: string, policy: CallbackDestinationPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "not an http(s) URL";
  // Credentials in a URL end up in logs and proxies; receivers verify the signature instead.
  if (url.username !== "" || url.password !== "") return "must not carry credentials (user:pass@)";
  const host = canonicalHost(url.hostname);
  const allowed = isAllowedHost(policy.allowList, host);
  if (policy.requireHttps && url.protocol !== "https:" && !allowed) return "must use https";
  if (allowed) return undefined;
  if (isIpLiteral(host)) {
    const reason = refusedAddressReason(host);
    return reason;
  }
  if (isLocalName(host)) return `${host} names the local host or a metadata service`;
  return undefined;
}
