import { stopAllScripts } from "./script-process";

/**
 * Runs a bench's `main` and always cleans up after it — on success, on error and on Ctrl-C — so no
 * sandbox, server or client process outlives the bench. Resolves to the exit status: main's own,
 * 1 after an error, 130 never (Ctrl-C exits from the handler once cleanup is done).
 */
export async function runBench(
  bench: string,
  main: () => Promise<number>,
  cleanUp: () => Promise<void>,
): Promise<number> {
  // Clients first: none may still be calling while the server goes or its Redis keys are deleted.
  const cleanUpAll = () => stopAllScripts().then(cleanUp);
  let interrupted = false;
  process.once("SIGINT", () => {
    interrupted = true;
    process.stdout.write(`${bench}: interrupted, stopping child processes…\n`);
    void cleanUpAll().finally(() => process.exit(130));
  });

  let exitCode = 1;
  try {
    exitCode = await main();
  } catch (error) {
    // Once interrupted, the children dying under main() is expected, not worth a stack trace.
    if (!interrupted) {
      process.stderr.write(
        `${bench}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
  } finally {
    await cleanUpAll();
  }
  return exitCode;
}
