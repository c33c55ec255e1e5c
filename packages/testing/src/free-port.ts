/** Ports for child processes: tests, benches and the demo pick them the same way. */
import { once } from "node:events";
import { createServer } from "node:net";

/** Whether `port` can be listened on at `host` right now. */
export async function portIsFree(host: string, port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, host);
  try {
    await once(server, "listening");
  } catch {
    return false;
  }
  server.close();
  await once(server, "close");
  return true;
}

/** A port free right now at `host`, picked by the system. */
export async function anyFreePort(host: string): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

/** `preferred` when it is free, else any free port. */
export async function preferredPort(host: string, preferred: number): Promise<number> {
  if (preferred !== 0 && (await portIsFree(host, preferred))) return preferred;
  return anyFreePort(host);
}
