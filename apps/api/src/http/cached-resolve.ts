import { type LookupAddress, lookup } from "node:dns";
import type { ResolveAll } from "@riskq/pipeline";

/**
 * dns.lookup with a short memory, for the API's callback_url check: producers send the same receiver
 * on every request, and each getaddrinfo takes a libuv pool thread (4 by default) that file and
 * crypto work also need. Answers are kept `ttlMs` (default 30 s), at most `maxHosts`; failures are
 * not kept. Staleness costs nothing here: the worker checks again when it connects.
 */
export function cachedResolve(
  options: { ttlMs?: number; maxHosts?: number; now?: () => number } = {},
): ResolveAll {
  const ttlMs = options.ttlMs ?? 30_000;
  const maxHosts = options.maxHosts ?? 1_024;
  const now = options.now ?? Date.now;
  const answers = new Map<string, { addresses: LookupAddress[]; at: number }>();
  return (hostname, lookupOptions, callback) => {
    const kept = answers.get(hostname);
    if (kept && now() - kept.at < ttlMs) return callback(null, kept.addresses);
    lookup(hostname, lookupOptions, (err, addresses) => {
      if (!err) {
        if (answers.size >= maxHosts) answers.clear();
        answers.set(hostname, { addresses, at: now() });
      }
      callback(err, addresses);
    });
  };
}
