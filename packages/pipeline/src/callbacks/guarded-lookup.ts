import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import { refusedAddressReason } from "./address-rules";
import { type CallbackAllowList, canonicalHost, isAllowedAddress } from "./callback-allow-list";

/** A destination the address rules refuse: the delivery is never retried (see deliverCallback). */
export class DestinationRefused extends Error {
  override readonly name = "DestinationRefused";
  readonly code = "ERR_CALLBACK_DESTINATION_REFUSED";
}

/** What guardedLookup resolves with: dns.lookup with `all: true`. */
export type ResolveAll = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const resolveAll: ResolveAll = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/** Why one resolved address may not be connected to (undefined: it may), given the allow-list. */
export function refusedResolvedReason(list: CallbackAllowList, address: string): string | undefined {
  return isAllowedAddress(list, address) ? undefined : refusedAddressReason(address);
}

/**
 * The first refusal among a name's addresses. One bad address refuses the name: an attacker who
 * controls DNS could otherwise mix a public address with 127.0.0.1 and let the connector choose.
 */
export function refusedAmong(
  list: CallbackAllowList,
  hostname: string,
  addresses: readonly LookupAddress[],
): string | undefined {
  if (list.hosts.has(canonicalHost(hostname))) return undefined;
  for (const { address } of addresses) {
    const reason = refusedResolvedReason(list, address);
    if (reason) return `${hostname} resolves to a refused address: ${reason}`;
  }
  return undefined;
}

/**
 * A `lookup` for the sockets of callback deliveries: resolves, then refuses the connection when an
 * address is refused. It runs for every new connection on the address actually dialled, so a name
 * that resolved elsewhere when the job was accepted (DNS rebinding) is still caught. IP literals
 * never reach a lookup (net.connect dials them directly): callbackUrlProblem judges those.
 */
export function guardedLookup(list: CallbackAllowList, resolve: ResolveAll = resolveAll): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const reason = refusedAmong(list, hostname, addresses);
      if (reason) return callback(new DestinationRefused(reason), "", 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const [first] = addresses;
      if (!first)
        return callback(Object.assign(new Error(`${hostname}: no address`), { code: "ENOTFOUND" }), "", 0);
      return callback(null, first.address, first.family);
    });
  };
}
