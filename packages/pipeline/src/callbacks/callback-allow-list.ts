import ipaddr from "ipaddr.js";
import { addressInCidr, isIpLiteral } from "./address-rules";

/**
 * Destinations an operator opened on purpose (RISKQ_CALLBACK_ALLOWED_HOSTS): exact hostnames, and
 * CIDRs (a bare IP is its own /32 or /128). Everything the address rules refuse stays refused unless
 * it is named here: a receiver on the same host or in the same VPC must be opened explicitly.
 */
export interface CallbackAllowList {
  /** Lower-case hostnames without a trailing dot. */
  readonly hosts: ReadonlySet<string>;
  readonly cidrs: ReadonlyArray<readonly [ipaddr.IPv4 | ipaddr.IPv6, number]>;
}

export const EMPTY_ALLOW_LIST: CallbackAllowList = { hosts: new Set(), cidrs: [] };

/** What an allow-list entry looks like, for configuration errors. */
export const ALLOW_LIST_EXPECTED =
  "a comma-separated list of exact hostnames or CIDRs, e.g. hooks.internal,10.1.2.0/24,127.0.0.1";

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** A hostname as URLs and allow-lists are compared: lower case, no trailing dot, no brackets. */
export function canonicalHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** Parses the entries (already split on commas); an entry that is neither a host nor a CIDR is an error. */
export function parseCallbackAllowList(
  entries: readonly string[],
): { ok: true; value: CallbackAllowList } | { ok: false; message: string } {
  const hosts = new Set<string>();
  const cidrs: Array<readonly [ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === "") continue;
    const bare = entry.startsWith("[") && entry.endsWith("]") ? entry.slice(1, -1) : entry;
    if (bare.includes("/")) {
      if (!ipaddr.isValidCIDR(bare)) return { ok: false, message: `"${entry}" is not a valid CIDR` };
      cidrs.push(ipaddr.parseCIDR(bare));
    } else if (isIpLiteral(bare)) {
      const address = ipaddr.parse(bare);
      cidrs.push([address, address.kind() === "ipv4" ? 32 : 128]);
    } else if (HOSTNAME.test(canonicalHost(entry))) {
      hosts.add(canonicalHost(entry));
    } else {
      return { ok: false, message: `"${entry}" is neither a hostname nor a CIDR` };
    }
  }
  return { ok: true, value: { hosts, cidrs } };
}

/** The comma-separated form of RISKQ_CALLBACK_ALLOWED_HOSTS. */
export function parseCallbackAllowListText(
  text: string,
): { ok: true; value: CallbackAllowList } | { ok: false; message: string } {
  return parseCallbackAllowList(text.split(","));
}

/** Is this URL host (a name, or an IP literal) named by the list? */
export function isAllowedHost(list: CallbackAllowList, host: string): boolean {
  if (isIpLiteral(host)) return isAllowedAddress(list, host);
  return list.hosts.has(canonicalHost(host));
}

/** Is this IP address inside one of the list's CIDRs? */
export function isAllowedAddress(list: CallbackAllowList, address: string): boolean {
  return list.cidrs.some((cidr) => addressInCidr(address, cidr));
}
