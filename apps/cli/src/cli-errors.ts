/**
 * A failure the operator can act on: printed as one line (`riskq <command>: <message>`), exit 1.
 * `code` is the stable name machine readers get in `--json` mode.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly code = "failed",
  ) {
    super(message);
  }
}

/** The command line itself is wrong (unknown command or flag, missing argument): usage, exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    message: string,
    /** The usage text to print after the message (the command's, or the top-level one). */
    readonly usage: string,
  ) {
    super(message);
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
