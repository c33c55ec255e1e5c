import type { DeadLetter } from "@riskq/contracts";
import { redactSecrets } from "@riskq/observability";
import { type ApiCaller, seesCallbackOf } from "../http/api-caller";
import type { JobView } from "./job-view";

/**
 * A dead letter as answers show it: card fingerprints masked (`a1b2c3…9f0e`) exactly as the
 * dashboard shows them (the logs' redaction, `maskFingerprint`), at any depth. Answers go to every
 * service holding a key; the full fingerprint is needed by none of them.
 */
export const presentDeadLetter = (letter: DeadLetter): DeadLetter => redactSecrets(letter);

/** The request inside a dead letter without its callback URL (another service's receiver, maybe with a token). */
function withoutCallbackUrl(letter: DeadLetter): DeadLetter {
  const payload = letter.payload;
  if (payload === null || typeof payload !== "object" || !("callback_url" in payload)) return letter;
  const { callback_url: _hidden, ...rest } = payload as Record<string, unknown>;
  return { ...letter, payload: rest };
}

/**
 * A job view as this caller may see it: fingerprints masked as in `presentDeadLetter`, and the
 * callback URL (in a dead job's dead letter) kept only for the key that submitted the job or an
 * operator. `submittedBy` is the job's `submitted_by` (undefined for jobs older than key names: then
 * only operators see it).
 */
export function presentJob(view: JobView, submittedBy: string | undefined, caller: ApiCaller): JobView {
  if (!view.dead_letter) return view;
  const letter = seesCallbackOf(caller, submittedBy)
    ? view.dead_letter
    : withoutCallbackUrl(view.dead_letter);
  return { ...view, dead_letter: presentDeadLetter(letter) };
}
