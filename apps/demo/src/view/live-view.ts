import type { TimelineEvent } from "../timeline";
import { clock } from "./format";
import { countersLine, type Frame, frameLines } from "./status-lines";
import { createStyle, type Style } from "./style";

/** Where the view writes: stdout, or a test's capture. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const PLAIN_EVERY_MS = 5_000;

/**
 * The live terminal view. On a terminal the whole picture is redrawn in place (plain ANSI: cursor up,
 * clear to the end); otherwise (a pipe, CI) each incident event is a line as it happens and the
 * counters are a line every 5 seconds.
 */
export class LiveView {
  readonly style: Style;
  private drawnLines = 0;
  private lastPlainAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly out: Output,
    env: NodeJS.ProcessEnv,
  ) {
    this.style = createStyle(this.tty && env.NO_COLOR === undefined);
  }

  get tty(): boolean {
    return this.out.isTTY === true;
  }

  /** A line above the live picture (kept when it is redrawn). */
  line(text = ""): void {
    this.erase();
    this.out.write(`${text}\n`);
  }

  event(event: TimelineEvent): void {
    if (this.tty) {
      // The picture shows incidents itself; notes and errors are kept above it.
      if (event.kind === "note") this.line(`  ${this.style.cyan("ℹ")} ${clock(event.atMs)} ${event.text}`);
      if (event.kind === "error")
        this.line(`  ${this.style.red("!")} ${clock(event.atMs)} ${event.name}: ${event.text}`);
      return;
    }
    const mark = { injected: "▶", handled: "✓", note: "ℹ", error: "!" }[event.kind];
    const sep = event.kind === "handled" ? " → " : ": ";
    const text = event.kind === "note" ? event.text : `${event.name}${sep}${event.text}`;
    this.out.write(`[${clock(event.atMs)}] ${mark} ${text}\n`);
  }

  /** Redraws the picture (TTY) or prints the counters when a few seconds have passed (otherwise). */
  render(frame: Frame, force = false): void {
    if (!this.tty) {
      if (!force && frame.elapsedMs - this.lastPlainAt < PLAIN_EVERY_MS) return;
      this.lastPlainAt = frame.elapsedMs;
      const phase = frame.phase === "streaming" ? "" : ` (${frame.phase})`;
      this.out.write(`[${clock(frame.elapsedMs)}]${phase} ${countersLine(frame)}\n`);
      return;
    }
    // No width known (0 under some pseudo-terminals): assume a common one.
    const width = (this.out.columns ?? 0) >= 40 ? this.out.columns! : 100;
    const lines = frameLines(frame, this.style, width);
    this.erase();
    this.out.write(`${lines.join("\n")}\n`);
    this.drawnLines = lines.length;
  }

  /** Leaves the last picture on screen: what follows is written below it. */
  keep(): void {
    this.drawnLines = 0;
  }

  private erase(): void {
    if (!this.tty || this.drawnLines === 0) return;
    // To the start of the picture's first line, then clear everything below.
    this.out.write(`\x1b[${this.drawnLines}F\x1b[0J`);
    this.drawnLines = 0;
  }
}
