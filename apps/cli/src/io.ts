import type { Readable, Writable } from "node:stream";

/** The streams a command talks through: the process's own, or a test's. */
export interface Io {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean; columns?: number };
}

/** Writes one line. */
export const writeLine = (stream: Writable, text: string): void => {
  stream.write(`${text}\n`);
};
