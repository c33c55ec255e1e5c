import { type CallbackDestinationPolicy, type ResolveAll, resolvedCallbackUrlProblem } from "@riskq/pipeline";
import { type FieldIssue, invalidRequest } from "./field-issues";

/**
 * Refuses (400 `invalid_request`, at `callback_url` or `items[i].callback_url`) callback URLs the
 * worker would refuse to deliver to: loopback, private, link-local, metadata…, also when a name
 * resolves there now. The worker checks again on the address it connects to, since a job outlives
 * this answer and DNS may change. A batch's URLs are judged once each: they are usually all the same.
 */
export async function refuseCallbackDestinations(
  bodies: ReadonlyArray<{ callback_url?: string | undefined }>,
  policy: CallbackDestinationPolicy,
  pathOf: (index: number) => string,
  resolve?: ResolveAll,
): Promise<void> {
  const verdicts = new Map<string, Promise<string | undefined>>();
  const issues: FieldIssue[] = [];
  for (const [index, body] of bodies.entries()) {
    const url = body.callback_url;
    if (url === undefined) continue;
    let verdict = verdicts.get(url);
    if (!verdict) {
      verdict = resolvedCallbackUrlProblem(url, policy, resolve ? { resolve } : {});
      verdicts.set(url, verdict);
    }
    const problem = await verdict;
    if (problem) issues.push({ path: pathOf(index), message: `callback destination refused: ${problem}` });
  }
  if (issues.length > 0) throw invalidRequest(issues);
}
