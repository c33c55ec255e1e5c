import { callbackSecretFor } from "@riskq/pipeline";
import { parseCommandArgs, positionals } from "../args";
import { EXIT_OK, UsageError } from "../cli-errors";
import { type Command, emit, printUsage, runGroup } from "../command";
import { callbackConfig } from "../config";

const USAGE = `Usage: riskq callbacks secret <key-name> [--json]

  secret   prints the secret that signs the result callbacks of jobs submitted with the API key
           named <key-name> (its "name" in the key file; a key of the plain RISKQ_API_KEYS list is
           named key-<first 12 hex digits of its sha256>). Hand it to that key's owner only: their
           receivers verify with it (docs/pipeline.md, "Result callbacks"), and it cannot verify or forge
           another key's callbacks.

Environment: RISKQ_CALLBACK_SECRET (the workers' one; RISKQ_CALLBACK_SECRET_FILE works too).`;

// The key file's rule for names: what `submitted_by` can hold.
const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const callbacksCommand: Command = {
  name: "callbacks",
  usage: USAGE,
  run: (args, ctx) =>
    runGroup(args, ctx, {
      name: "callbacks",
      usage: USAGE,
      subcommands: {
        async secret(rest) {
          const { values, positionals: given } = parseCommandArgs(rest, {}, USAGE);
          if (values.help) return printUsage(ctx, USAGE);
          const [name] = positionals(given, ["key-name"], USAGE);
          if (!KEY_NAME.test(name!)) {
            throw new UsageError(
              `<key-name> is a key's name (1–64 of A-Z a-z 0-9 _ . -), not the key itself`,
              USAGE,
            );
          }
          const { RISKQ_CALLBACK_SECRET } = callbackConfig(ctx.warn);
          const secret = callbackSecretFor(RISKQ_CALLBACK_SECRET, name);
          emit(ctx, values.json === true, { key: name, callback_secret: secret }, () => secret);
          return EXIT_OK;
        },
      },
    }),
};
