/** Label values a series may take from outside input (remote error codes, operation names). */
export type BoundedLabel = (raw: string | undefined) => string;

const SAFE = /^[A-Za-z0-9][\w .:-]{0,63}$/;

/**
 * Keeps a label's cardinality bounded whatever the remote sends: a value must look like a code
 * (letters, digits, `_ - . :` and spaces, up to 64 characters), and once `max` distinct values have
 * been seen, new ones become `other`. Missing values become `none`.
 */
export function boundedLabel(max = 50): BoundedLabel {
  const seen = new Set<string>();
  return (raw) => {
    if (raw === undefined || raw === "") return "none";
    if (seen.has(raw)) return raw;
    if (!SAFE.test(raw) || seen.size >= max) return "other";
    seen.add(raw);
    return raw;
  };
}
