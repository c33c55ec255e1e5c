import type { Writable } from "node:stream";
import { Cluster, type Redis } from "ioredis";

/** Options of `coalesceWrites`. */
export interface CoalesceOptions {
  /**
   * How long commands wait for company: to the end of the current callback and its promise chains
   * (`"tick"`, the default: a worker's batch settling), or to the end of the event loop's current
   * iteration (`"iteration"`: a server, whose requests each arrive in a callback of their own and
   * issue a command or two each — at a few hundred requests a second one write per command cost the
   * API more CPU than answering them).
   */
  until?: "tick" | "iteration";
}

/**
 * Sends the commands a connection is given in one turn of the event loop in few socket writes: up
 * to `MAX_CORKED` at a time.
 *
 * Why: a worker's batch answer settles its jobs together, and each completion is a BullMQ script
 * call of its own. ioredis writes each command to the socket at once, one system call apiece; the
 * worker then spends more CPU writing than scoring (bench: pipeline.ts). Corked until the turn's
 * callbacks have run (or `MAX_CORKED` of them are waiting), the commands leave in one `writev`.
 *
 * Unlike ioredis's `enableAutoPipelining`, nothing about the commands changes — not their order,
 * not their replies, not how scripts are loaded — only how many writes carry them. The delay is at
 * most the rest of the current turn (`until`): `process.nextTick` runs once the callback's promise
 * chains are done, `setImmediate` once the iteration's timers and I/O callbacks are.
 *
 * Applies to every socket the connection opens (reconnects included) and, on a cluster client, to
 * every node's connection.
 */
export function coalesceWrites(redis: Redis, options: CoalesceOptions = {}): void {
  if ((redis as unknown) instanceof Cluster) {
    const cluster = redis as unknown as Cluster;
    for (const node of cluster.nodes()) coalesceWrites(node, options);
    cluster.on("+node", (node: Redis) => coalesceWrites(node, options));
    return;
  }
  const later = options.until === "iteration" ? setImmediate : process.nextTick;
  const patched = new WeakSet<Writable>();
  const patch = () => {
    const stream = (redis as unknown as { stream?: Writable }).stream;
    if (!stream || patched.has(stream)) return;
    patched.add(stream);
    corkPerTurn(stream, later);
  };
  patch();
  redis.on("connect", patch);
}

/**
 * At most this many commands wait in one write. A long turn (a batch of hundreds of jobs settling)
 * would otherwise hold its first command back until its last: Redis, on another core, would sit idle
 * meanwhile and every decision of the turn would wait on it. 32 keeps nearly all of the saving.
 */
export const MAX_CORKED = 32;

function corkPerTurn(stream: Writable, later: (flush: () => void) => unknown): void {
  const write = stream.write;
  /** Commands written since the socket was last corked. */
  let waiting = 0;
  // The socket's own cork count is the truth: whatever happened in between (a write that threw, a
  // flush at MAX_CORKED), every scheduled flush leaves the socket uncorked.
  const flush = () => {
    waiting = 0;
    while (stream.writableCorked > 0) stream.uncork();
  };
  stream.write = function writeCorked(this: Writable, ...args: unknown[]) {
    if (stream.writableCorked === 0) {
      stream.cork();
      later(flush);
    }
    waiting += 1;
    const accepted = (write as (...a: unknown[]) => boolean).apply(this, args);
    if (waiting >= MAX_CORKED) flush();
    return accepted;
  } as Writable["write"];
}
