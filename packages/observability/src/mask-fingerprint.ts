const KEEP_START = 6;
const KEEP_END = 4;

/**
 * Masks a card fingerprint for logs and screens: `a1b2c3…9f0e` (first 6, last 4). Enough to tell
 * two fingerprints apart when debugging, not enough to match one against a leaked list.
 * Values too short to hide anything that way (under 16 characters) are replaced entirely.
 */
export function maskFingerprint(fingerprint: string): string {
  if (fingerprint.length < 16) return "[redacted]";
  return `${fingerprint.slice(0, KEEP_START)}…${fingerprint.slice(-KEEP_END)}`;
}
