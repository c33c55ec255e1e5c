import { containsCardNumber } from "@riskq/contracts";

/**
 * Alert text goes to a chat channel: wider audience, no redaction downstream. Producers should
 * write no secret into it, and this is the net under them, applied to every free-text field when an
 * alert is published (so a secret never even reaches the event stream) and again when it is sent.
 */

// `-----BEGIN … KEY-----` blocks (PEM private keys, certificates).
const PEM = /-----BEGIN [A-Z ]+-----[\s\S]*?(?:-----END [A-Z ]+-----|$)/g;
// HTTP credentials written out: `Bearer abc…`, `Basic abc…`.
const AUTH_SCHEME = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi;
// `token=…`, `"access_token": "…"`, `secret: …`: the value after a secret-sounding name.
const NAMED_SECRET =
  /\b((?:[a-z]+[_-])*(?:token|secret|password|passwd|api[_-]?key|aes[_-]?key|private[_-]?key|encrypt[_-]?key|auth[_-]?code|authorization|cookie|sign(?:ature)?))("?\s*[:=]\s*"?)([^\s",;&}]+)/gi;
// Hex of 32+ characters: card fingerprints (64 hex) and other hashes worth keeping apart, not reading.
const LONG_HEX = /\b[0-9a-fA-F]{32,}\b/g;
// Base64-looking runs of 24+ characters with letters and digits: AES keys, tokens, signatures.
const OPAQUE = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=])/g;
// Digit groups and the short separator runs people and forms put between card-number groups
// (`4111 1111…`, `4111.1111…`, `4111 / 1111…`); a line break ends a run. What the API's guard
// counts as a card number (containsCardNumber) is what is removed, however it is grouped.
// Digits of any script (full-width too: containsCardNumber reads them as ASCII digits).
const DIGIT_RUN = /\p{Nd}+(?:[^\p{L}\p{N}\n]{1,3}\p{Nd}+)*/gu;

/** `text` with secrets removed, card numbers removed and card fingerprints masked. */
export function scrubSecrets(text: string): string {
  return text
    .replace(PEM, "[redacted key]")
    .replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} [redacted]`)
    .replace(NAMED_SECRET, (_m, name: string, sep: string) => `${name}${sep}[redacted]`)
    .replace(LONG_HEX, (hex) => `${hex.slice(0, 6)}…${hex.slice(-4)}`)
    .replace(OPAQUE, (run) => (/\d/.test(run) && /[A-Za-z]/.test(run) ? "[redacted]" : run))
    .replace(DIGIT_RUN, (run) => (isCardNumber(run) ? "[card number removed]" : run));
}

/** A card number by the API guard's rules; Alipay partner ids (2088 + 12 digits) start no card range. */
function isCardNumber(run: string): boolean {
  if (/^2088\d{12}$/.test(run)) return false;
  return containsCardNumber(run);
}
