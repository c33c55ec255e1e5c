import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

/** One line of the input: its 1-based number, its text, and its size in bytes (newline included). */
export interface InputLine {
  number: number;
  text: string;
  bytes: number;
}

/** The lines of a stream as they arrive (a file of any size is never held in memory whole). */
export async function* readLines(input: Readable): AsyncGenerator<InputLine> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  let number = 0;
  for await (const text of lines) {
    number += 1;
    yield { number, text, bytes: Buffer.byteLength(text) + 1 };
  }
}
