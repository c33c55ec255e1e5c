import { connect } from "node:net";

/** What became of a request whose body was trickled. */
export interface TrickleOutcome {
  /** The status line's code if the server answered before closing (408 from Node), else undefined. */
  status: number | undefined;
  /** From the first byte sent to the socket's close. */
  elapsedMs: number;
  /** Body bytes sent before the server hung up. */
  bytesSent: number;
}

/**
 * Sends a request's headers at once and then its declared body 1 byte every `everyMs`, as a slow
 * (or hostile) client would, until the server closes the connection or `giveUpMs` passes (then it
 * rejects: the server never cut it off).
 */
export function trickleRequest(options: {
  port: number;
  path: string;
  headers: Record<string, string>;
  bodyBytes: number;
  everyMs: number;
  giveUpMs: number;
}): Promise<TrickleOutcome> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: options.port });
    const started = Date.now();
    let bytesSent = 0;
    let answer = "";
    const head = [
      `POST ${options.path} HTTP/1.1`,
      `host: 127.0.0.1:${options.port}`,
      "content-type: application/json",
      `content-length: ${options.bodyBytes}`,
      ...Object.entries(options.headers).map(([name, value]) => `${name}: ${value}`),
    ];
    const drip = setInterval(() => {
      if (bytesSent < options.bodyBytes && socket.writable) {
        socket.write(" ");
        bytesSent += 1;
      }
    }, options.everyMs);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept a trickling request open for ${options.giveUpMs} ms`));
    }, options.giveUpMs);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.on("error", () => {}); // a reset is one way of being cut off; 'close' follows
    socket.on("close", () => {
      clearInterval(drip);
      clearTimeout(giveUp);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      resolve({ status: status ? Number(status) : undefined, elapsedMs: Date.now() - started, bytesSent });
    });
    socket.write(`${head.join("\r\n")}\r\n\r\n`);
  });
}
