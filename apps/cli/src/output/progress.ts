import type { Io } from "../io";

/** What the progress line counts. */
export interface ProgressCounts {
  lines: number;
  enqueued: number;
  duplicates: number;
  errors: number;
  /** Bytes read of `totalBytes` (a file); unknown for a pipe. */
  bytesRead: number;
}

const BAR_WIDTH = 24;
const REDRAW_EVERY_MS = 100;
const CLEAR_LINE = "\r\x1b[K";

const count = (n: number) => n.toLocaleString("en-US");

/**
 * A one-line progress display on stderr, redrawn in place: only when stderr is a terminal (a pipe or
 * a log file would fill with carriage returns). Messages printed meanwhile go above it.
 */
export class Progress {
  private readonly enabled: boolean;
  private lastDraw = 0;
  private last: ProgressCounts | undefined;

  constructor(
    private readonly io: Io,
    private readonly totalBytes: number | undefined,
  ) {
    this.enabled = io.stderr.isTTY === true;
  }

  update(counts: ProgressCounts, force = false): void {
    this.last = counts;
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < REDRAW_EVERY_MS) return;
    this.lastDraw = now;
    this.io.stderr.write(`${CLEAR_LINE}${this.render(counts)}`);
  }

  /** Prints a line on stderr above the progress display. */
  log(text: string): void {
    if (this.enabled) this.io.stderr.write(CLEAR_LINE);
    this.io.stderr.write(`${text}\n`);
    if (this.enabled && this.last) this.io.stderr.write(this.render(this.last));
  }

  /** Removes the progress display (the caller prints the final count). */
  finish(): void {
    if (this.enabled) this.io.stderr.write(CLEAR_LINE);
  }

  private render(counts: ProgressCounts): string {
    const tally = `${count(counts.lines)} lines  ${count(counts.enqueued)} enqueued  ${count(counts.duplicates)} duplicates  ${count(counts.errors)} errors`;
    if (!this.totalBytes) return tally;
    const share = Math.min(1, counts.bytesRead / this.totalBytes);
    const filled = Math.round(share * BAR_WIDTH);
    return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${tally}`;
  }
}
