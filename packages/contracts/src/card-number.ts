/** true when a digit string passes the Luhn check that card numbers satisfy. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// Digit runs, allowing the single spaces or dashes people type between card-number groups.
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;

/** Does the text hold a card number: 13–19 digits passing Luhn (anywhere inside it)? */
export function containsCardNumber(text: string): boolean {
  for (const match of text.matchAll(DIGIT_RUN)) {
    // The whole run only: testing every window inside a long number would flag one in ten ids.
    const digits = match[0].replace(/[ -]/g, "");
    if (digits.length >= 13 && digits.length <= 19 && passesLuhn(digits)) return true;
  }
  return false;
}

/**
 * Alipay partner ids (2088 + 12 digits) are 16 digits and may pass Luhn by chance; no card range
 * starts with 2088, so a `merchant_id` of that shape is an id, not a card number.
 */
const isPartnerId = (path: string, text: string) =>
  /(^|\.)merchant_id$/.test(path) && /^2088\d{12}$/.test(text);

/**
 * The path of the first field (at any depth, keys included) that holds a card number, or undefined.
 * Card numbers are refused everywhere; card fingerprints (hashes) are what callers must send.
 */
export function findCardNumber(value: unknown, path = ""): string | undefined {
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
    const text = String(value);
    return !isPartnerId(path, text) && containsCardNumber(text) ? path || "(value)" : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findCardNumber(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (containsCardNumber(key)) return at;
      const found = findCardNumber(inner, at);
      if (found) return found;
    }
  }
  return undefined;
}
