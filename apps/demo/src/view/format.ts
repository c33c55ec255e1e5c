/** `1:07` for 67 000 ms. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1_000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

/** USD with four decimals (the bill is made of fractions of a cent). */
export function usd(value: number): string {
  return `${value.toFixed(4)} USD`;
}

/** `silent_drop 2 · timeout 1`, or `none`. */
export function byReason(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${reason} ${n}`);
  return parts.length === 0 ? "none" : parts.join(" · ");
}

/**
 * Breaks `text` into lines of at most `width` characters at spaces; continuation lines start with
 * `indent`. A word longer than a line is cut.
 */
export function wrapText(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (candidate.length <= width || line === "") {
      line = candidate;
      continue;
    }
    lines.push(line);
    line = `${indent}${word}`;
  }
  if (line !== "") lines.push(line);
  return lines.flatMap((l) => (l.length > width ? chunk(l, width) : [l]));
}

function chunk(text: string, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  return out;
}
