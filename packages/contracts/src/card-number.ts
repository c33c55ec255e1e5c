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

/**
 * Does the text hold a card number: 13–19 digits passing Luhn (anywhere inside it)? A number may be
 * grouped by single spaces or dashes, as people type them; only whole digit runs count (testing every
 * window inside a long number would flag one id in ten).
 *
 * One pass, no allocation: this runs over every field of every item of every call. The Luhn sum is
 * kept for both parities as digits arrive (each new digit shifts the earlier ones one place further
 * from the end), so a run's verdict is known the moment it ends.
 */
export function containsCardNumber(text: string): boolean {
  let digits = 0;
  // Luhn sums with the latest digit undoubled (`plain`) and doubled (`shifted`).
  let plain = 0;
  let shifted = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : -1;
    if (c >= 48 && c <= 57) {
      const d = c - 48;
      const doubled = d > 4 ? d * 2 - 9 : d * 2;
      const nextPlain = shifted + d;
      shifted = plain + doubled;
      plain = nextPlain;
      digits += 1;
      continue;
    }
    // A single space or dash between two digits keeps the run going.
    if ((c === 32 || c === 45) && digits > 0) {
      const after = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
      if (after >= 48 && after <= 57) continue;
    }
    if (digits >= 13 && digits <= 19 && plain % 10 === 0) return true;
    digits = 0;
    plain = 0;
    shifted = 0;
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
  const trail: Array<string | number> = [];
  if (!holdsCardNumber(value, trail, path)) return undefined;
  return pathOf(path, trail) || "(value)";
}

/**
 * Runs on every item of every call, so it allocates nothing while it finds nothing: `trail` holds the
 * keys and indexes walked so far, and a path string is only built for the field that is found.
 */
function holdsCardNumber(value: unknown, trail: Array<string | number>, root: string): boolean {
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
    const text = typeof value === "string" ? value : String(value);
    return containsCardNumber(text) && !isPartnerId(pathOf(root, trail), text);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      trail.push(i);
      if (holdsCardNumber(value[i], trail, root)) return true;
      trail.pop();
    }
    return false;
  }
  if (value !== null && typeof value === "object") {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      trail.push(key);
      if (containsCardNumber(key) || holdsCardNumber((value as Record<string, unknown>)[key], trail, root)) {
        return true;
      }
      trail.pop();
    }
  }
  return false;
}

function pathOf(root: string, trail: ReadonlyArray<string | number>): string {
  let path = root;
  for (const step of trail) {
    if (typeof step === "number") path += `[${step}]`;
    else path = path ? `${path}.${step}` : step;
  }
  return path;
}
