import type { Writable } from "node:stream";
import { Cluster, type Redis } from "ioredis";

/**
 * Sends every command a connection is given in one turn of the event loop as one socket write.
 *
 * Why: a worker's batch answer settles its jobs together, and each completion is a BullMQ script
 * call of its own. ioredis writes each command to the socket at once, one system call apiece; the
 * worker then spends more CPU writing than scoring (bench: pipeline.ts). Corked until the turn's
 * callbacks have run, the commands leave in one `writev`.
 *
 * Unlike ioredis's `enableAutoPipelining`, nothing about the commands changes — not their order,
 * not their replies, not how scripts are loaded — only how many writes carry them. The delay is the
 * rest of the current turn: `process.nextTick` runs once its promise callbacks are done.
 *
 * Applies to every socket the connection opens (reconnects included) and, on a cluster client, to
 * every node's connection.
 */
export function coalesceWrites(redis: Redis): void {
  if ((redis as unknown) instanceof Cluster) {
    const cluster = redis as unknown as Cluster;
    for (const node of cluster.nodes()) coalesceWrites(node);
    cluster.on("+node", (node: Redis) => coalesceWrites(node));
    return;
  }
  const patched = new WeakSet<Writable>();
  const patch = () => {
    const stream = (redis as unknown as { stream?: Writable }).stream;
    if (!stream || patched.has(stream)) return;
    patched.add(stream);
    corkPerTurn(stream);
  };
  patch();
  redis.on("connect", patch);
}

function corkPerTurn(stream: Writable): void {
  const write = stream.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = function writeCorked(this: Writable, ...args: unknown[]) {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Writable["write"];
}
