/**
 * How far an answer's signed `alipay-timestamp` may be from this machine's clock. The signature
 * covers the timestamp, so a stale one means a recorded answer played back (by a proxy, say): the
 * signature alone would accept it forever. Alipay's own window for requests is the same 5 minutes.
 */
export const ANSWER_MAX_SKEW_MS = 5 * 60_000;

/**
 * Why a signed answer's timestamp is not acceptable, or undefined when it is. Real time on purpose,
 * not the client's injectable clock: the sandbox stamps answers with its real time even while its
 * virtual clock is moved, as Alipay stamps them with its own.
 */
export function staleAnswerReason(signedAt: string, now: number = Date.now()): string | undefined {
  const at = /^\d{1,15}$/.test(signedAt) ? Number(signedAt) : Number.NaN;
  if (Number.isNaN(at)) return "its alipay-timestamp is not epoch milliseconds";
  const skewMs = at - now;
  if (Math.abs(skewMs) <= ANSWER_MAX_SKEW_MS) return undefined;
  const minutes = Math.round(Math.abs(skewMs) / 60_000);
  return `its alipay-timestamp is ${minutes} min ${skewMs < 0 ? "old" : "ahead"} (allowed: ${ANSWER_MAX_SKEW_MS / 60_000} min); a replayed answer or a wrong clock`;
}
