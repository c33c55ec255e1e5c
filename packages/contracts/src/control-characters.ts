/**
 * Characters that change how text is laid out rather than what it says: C0 and C1 controls (newline,
 * carriage return, escape…), DEL, Unicode line and paragraph separators, and the bidirectional
 * marks, embeddings, overrides and isolates that reorder what a reader sees.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
const CONTROL_RUN = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/**
 * `text` with every run of control characters replaced by one space. For alert and log lines that
 * carry caller data: a newline in a caller's value must not start a line of its own (a forged
 * "FIRING" line in a chat channel, a fake log entry in a text log).
 */
export function withoutControlCharacters(text: string): string {
  return text.replace(CONTROL_RUN, " ");
}
