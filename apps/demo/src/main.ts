/**
 * `pnpm demo`: the whole of riskq on this machine for a minute — the sandbox as Alipay, the API,
 * two workers, the scheduler and the dashboard — with synthetic traffic, the field report's
 * incidents injected along the way and what riskq did about each, then a summary. See the
 * README, "Two commands".
 */
import { configOrExit } from "@riskq/config";
import { demoEnv } from "./config";
import { parseFlags, USAGE, UsageError } from "./flags";
import { DemoRun } from "./run-demo";

// pnpm may pass a "--" separator through; it is not a flag.
const argv = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === "--"));
let flags: ReturnType<typeof parseFlags>;
try {
  flags = parseFlags(argv);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`riskq demo: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (flags === "help") {
  process.stdout.write(USAGE);
  process.exit(0);
}

// The only file of the demo that reads process.env (the apps it starts get what it states).
const env = configOrExit(demoEnv, process.env);
const run = new DemoRun({ flags, env, parentEnv: process.env, out: process.stdout });

// Ctrl-C (or a SIGTERM): stop the traffic, stop the apps gracefully, delete the prefix, exit
// 128 + the signal. A second one kills the apps at once.
let signals = 0;
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals === 1) void run.interrupt(code).finally(() => process.exit(code));
    else void run.kill().finally(() => process.exit(code));
  });
}

process.exit(await run.run());
