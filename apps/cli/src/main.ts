import { runCli } from "./dispatch";

// `pnpm riskq <command>`: everything happens in runCli; this file only wires the process to it.
const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
// Exit explicitly (idle keep-alive sockets must not hold the process), once stdout and stderr have
// drained: writes to a pipe are asynchronous, and exiting earlier would cut long output short.
const drained = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => stream.write("", () => resolve()));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
