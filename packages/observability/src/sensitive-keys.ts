/** How a log field is treated, by its key. */
export type KeyVerdict = "keep" | "censor" | "mask";

/**
 * Keys whose values never reach a log line, compared after lower-casing and removing `-` and `_`,
 * so `app_auth_token`, `appAuthToken` and the `alipay-app-auth-token` header are one rule.
 */
const CENSORED = new Set([
  // HTTP credentials (Alipay signatures, API bearer keys, dashboard sessions)
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  // request signatures: with the signed content they prove a call, and a logged one can be replayed
  "sign",
  "signature",
  "alipaysignature",
  "xriskqsignature",
  // merchant tokens of the Alipay open platform
  "appauthtoken",
  "alipayappauthtoken",
  "authtoken",
  "accesstoken",
  "apprefreshtoken",
  "refreshtoken",
  // one-time onboarding codes: whoever holds an unspent one can exchange it for the merchant's tokens
  "authcode",
  "appauthcode",
  // keys: AES content keys, RSA private keys, riskq's own secrets
  "aeskey",
  "encryptkey",
  "privatekey",
  "appprivatekey",
  "riskqsecretkey",
  "secretkey",
  "secret",
  "callbacksecret",
  "riskqcallbacksecret",
  "password",
  "dashboardpassword",
  "apikey",
  "apikeys",
  "riskqapikeys",
  "xapikey",
]);

/** Card fingerprints are kept masked: useful to correlate, useless to an attacker. */
const MASKED = new Set(["cardfingerprint"]);

// Log keys come from a small vocabulary, so verdicts are cached; the bound stops objects keyed by
// ids (one key per merchant, say) from growing the cache without limit.
const verdicts = new Map<string, KeyVerdict>();
const MAX_CACHED = 4096;

/** The treatment of a field named `key`. */
export function verdictOf(key: string): KeyVerdict {
  let verdict = verdicts.get(key);
  if (verdict !== undefined) return verdict;
  const normalised = key.toLowerCase().replace(/[-_]/g, "");
  verdict = CENSORED.has(normalised) ? "censor" : MASKED.has(normalised) ? "mask" : "keep";
  if (verdicts.size < MAX_CACHED) verdicts.set(key, verdict);
  return verdict;
}
