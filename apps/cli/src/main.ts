import { runCli } from "./dispatch";

// `pnpm riskq <command>`: everything happens in runCli; this file only wires the process to it.
const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
// Exit explicitly (idle keep-alive sockets must not hold the process), once stdout has drained.
process.stdout.write("", () => process.exit(code));
