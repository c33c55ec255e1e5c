import { lookup } from "node:dns";
import { isIpLiteral } from "./address-rules";
import { canonicalHost } from "./callback-allow-list";
import { type CallbackDestinationPolicy, callbackUrlProblem } from "./callback-url-check";
import { type ResolveAll, refusedAmong } from "./guarded-lookup";

/**
 * callbackUrlProblem, plus what the host resolves to now: lets the API refuse `http://evil.test/`
 * pointing at 127.0.0.1 when the job is submitted, not only when its callback is due. A name that
 * does not resolve (yet) or resolves slowly is accepted here: the check at connect time decides.
 */
export async function resolvedCallbackUrlProblem(
  text: string,
  policy: CallbackDestinationPolicy,
  options: { timeoutMs?: number; resolve?: ResolveAll } = {},
): Promise<string | undefined> {
  const problem = callbackUrlProblem(text, policy);
  if (problem) return problem;
  const host = canonicalHost(new URL(text).hostname);
  if (isIpLiteral(host) || policy.allowList.hosts.has(host)) return undefined;
  const resolve = options.resolve ?? policy.resolve ?? ((h, o, cb) => lookup(h, o, cb));
  return new Promise((settle) => {
    const timer = setTimeout(() => settle(undefined), options.timeoutMs ?? 1_000);
    resolve(host, { all: true }, (err, addresses) => {
      clearTimeout(timer);
      settle(err ? undefined : refusedAmong(policy.allowList, host, addresses));
    });
  });
}
