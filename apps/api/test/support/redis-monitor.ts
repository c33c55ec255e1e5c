import { once } from "node:events";
import { connect, type Socket } from "node:net";

/**
 * Calls `onCommand` with each command line (`+<time> [<db> <client>] "command" "arg"…`) Redis runs
 * that names `prefix`, leaving out those run inside Lua scripts (they are not round trips). Read from
 * MONITOR on a raw socket: ioredis's own monitor() can misread a burst of lines arriving with the
 * MONITOR reply on a busy shared Redis ("Command queue state error"). Destroy the socket to stop.
 */
export async function watchCommands(prefix: string, onCommand: (line: string) => void): Promise<Socket> {
  const url = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const monitor = connect({ host: url.hostname, port: Number(url.port || 6379) });
  await once(monitor, "connect");
  let pending = "";
  monitor.setEncoding("latin1");
  monitor.on("data", (chunk: string) => {
    const lines = (pending + chunk).split("\r\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (/^\+\S+ \[\d+ lua\]/.test(line) || !line.includes(prefix)) continue;
      onCommand(line);
    }
  });
  monitor.write("MONITOR\r\n");
  // MONITOR takes effect once Redis has read it.
  await new Promise((resolve) => setTimeout(resolve, 150));
  return monitor;
}
