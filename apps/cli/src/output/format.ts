/** Plain-text layouts for human output: aligned tables, key/value blocks, instants. */

/** Columns padded to their widest cell; the last column is not padded (no trailing spaces). */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/** `label  value` lines, labels aligned; undefined values are left out. */
export function keyValues(pairs: ReadonlyArray<readonly [string, string | undefined]>): string {
  const shown = pairs.filter((pair): pair is readonly [string, string] => pair[1] !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n");
}

/** An instant as ISO 8601 UTC (what `--json` prints too). */
export const isoTime = (epochMs: number): string => new Date(epochMs).toISOString();

/** How far `epochMs` is from `now`, coarsely: "in 14m", "3h ago", "in 2d". */
function relativeTime(epochMs: number, now: number): string {
  const delta = epochMs - now;
  const abs = Math.abs(delta);
  const text =
    abs < 60_000
      ? `${Math.round(abs / 1000)}s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)}m`
        : abs < 172_800_000
          ? `${Math.round(abs / 3_600_000)}h`
          : `${Math.round(abs / 86_400_000)}d`;
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

/** `2026-11-20T10:00:00.000Z (in 14m)`. */
export const timeWithDistance = (epochMs: number, now: number): string =>
  `${isoTime(epochMs)} (${relativeTime(epochMs, now)})`;

/** `1 job` / `2 jobs`. */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** Cuts a cell to `max` characters with an ellipsis. */
export const cut = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** Words filled into lines of at most `width` characters, continuation lines indented by `indent`. */
export function wrap(text: string, width: number, indent = ""): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines.join("\n");
}
