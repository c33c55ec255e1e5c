import { createInterface } from "node:readline";
import type { Io } from "../io";

/**
 * Asks a yes/no question on the terminal (prompt on stderr, so stdout stays clean for `--json`);
 * only "y" or "yes" confirms. Callers ask only when stdin is a TTY.
 */
export async function confirm(io: Io, question: string): Promise<boolean> {
  io.stderr.write(`${question} [y/N] `);
  const lines = createInterface({ input: io.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      lines.once("line", resolve);
      lines.once("close", () => resolve(""));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    lines.close();
  }
}
