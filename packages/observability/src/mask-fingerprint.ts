const KEEP_START = 6;
const KEEP_END = 4;
const MASKED = new RegExp(`^[^…]{${KEEP_START}}…[^…]{${KEEP_END}}$`);

/**
 * Masks a card fingerprint for logs and screens: `a1b2c3…9f0e` (first 6, last 4). Enough to tell
 * two fingerprints apart when debugging, not enough to match one against a leaked list.
 * Values too short to hide anything that way (under 16 characters) are replaced entirely.
 */
export function maskFingerprint(fingerprint: string): string {
  // Already masked (the API answers masked, and its clients mask again): kept, not redacted further.
  if (MASKED.test(fingerprint)) return fingerprint;
  if (fingerprint.length < 16) return "[redacted]";
  return `${fingerprint.slice(0, KEEP_START)}…${fingerprint.slice(-KEEP_END)}`;
}
