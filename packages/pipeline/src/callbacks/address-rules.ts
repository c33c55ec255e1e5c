import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Well-known cloud metadata and platform endpoints. Most sit in ranges refused anyway (link-local,
 * CGNAT, unique-local), but they are named so a refusal says what was at stake, and Azure's wire
 * server is a public address that only this list refuses.
 */
const METADATA_ADDRESSES = new Set([
  "169.254.169.254", // AWS, GCP, Azure, OpenStack, Oracle instance metadata
  "169.254.170.2", // AWS ECS task credentials
  "169.254.169.253", // AWS VPC DNS
  "100.100.100.200", // Alibaba Cloud metadata
  "168.63.129.16", // Azure wire server
  "fd00:ec2::254", // AWS metadata over IPv6
  "fd00:ec2::253", // AWS VPC DNS over IPv6
]);

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parse("2000::");

/** ipaddr.js range names as a refusal's reason reads them. */
const RANGE_WORDS: Record<string, string> = {
  loopback: "a loopback",
  private: "a private (RFC 1918)",
  carrierGradeNat: "a private (carrier-grade NAT, 100.64.0.0/10)",
  uniqueLocal: "a private (unique-local, fc00::/7)",
  linkLocal: "a link-local",
  deprecatedSiteLocal: "a site-local",
  multicast: "a multicast",
  unspecified: "an unspecified",
  broadcast: "a broadcast",
};

/** The IPv4 address inside an IPv6 one that only wraps it (::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d). */
function unwrapped(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (address.kind() !== "ipv6") return address;
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  if (range === "ipv4Mapped" || (range === "rfc6052" && v6.match(ipaddr.IPv6.parse("64:ff9b::"), 96))) {
    const bytes = v6.toByteArray().slice(12);
    return ipaddr.IPv4.parse(bytes.join("."));
  }
  return v6;
}

/**
 * Why a callback may not be sent to this IP address, or undefined when it may. Only ordinary global
 * unicast passes: loopback, private, link-local, metadata, multicast, unspecified, broadcast and
 * every other special-purpose range (documentation, benchmarking, 6to4, Teredo…) are refused, so a
 * range nobody thought of is refused by default rather than reached.
 */
export function refusedAddressReason(address: string): string | undefined {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  if (isIP(bare) === 0 || !ipaddr.isValid(bare)) return `${bare} is not an IP address`;
  const parsed = unwrapped(ipaddr.parse(bare));
  const text = parsed.toString();
  if (METADATA_ADDRESSES.has(text)) return `${text} is a cloud metadata address`;
  const range = parsed.range();
  if (range !== "unicast")
    return `${text} is ${RANGE_WORDS[range] ?? `a special-purpose (${range})`} address`;
  // IPv6 outside 2000::/3, the only block IANA allocates for global unicast, is refused too: ::/8
  // holds the deprecated IPv4-compatible ::a.b.c.d (ipaddr.js calls ::7f00:1 "unicast"), the rest
  // is unallocated.
  if (parsed.kind() === "ipv6" && !(parsed as ipaddr.IPv6).match(GLOBAL_UNICAST_V6, 3)) {
    return `${text} is a non-global IPv6 (outside 2000::/3) address`;
  }
  return undefined;
}

/** An IP literal (IPv6 ones possibly in URL brackets), as opposed to a name. */
export function isIpLiteral(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return isIP(bare) !== 0;
}

/** Does `address` (an IP literal) fall inside `cidr`? IPv4-mapped IPv6 counts as its IPv4 address. */
export function addressInCidr(address: string, cidr: readonly [ipaddr.IPv4 | ipaddr.IPv6, number]): boolean {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return false;
  const parsed = unwrapped(ipaddr.parse(bare));
  const [network, bits] = cidr;
  return parsed.kind() === network.kind() && parsed.match(network, bits);
}
