import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy alters in a response: one character of the signature header, or one body byte. */
export type TamperTarget = "signature" | "body";

export interface TamperingProxyOptions {
  /** Where requests go, e.g. the sandbox's url. */
  target: string;
  tamper: TamperTarget;
  /** Which requests get a tampered answer (by method and path); default all. */
  when?: (request: { method: string; path: string }) => boolean;
}

/** A real HTTP proxy on a free loopback port that forwards everything and damages chosen answers. */
export interface TamperingProxy extends AsyncDisposable {
  url: string;
  /** How many responses were altered so far. */
  readonly tampered: number;
  close(): Promise<void>;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
// Hop-by-hop headers (and the length, which is recomputed) are not forwarded as they came.
const DROPPED = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host"]);

/**
 * Starts a man in the middle between a client and the sandbox, to prove the client refuses answers
 * whose platform signature does not verify. The request is forwarded byte for byte (its signature
 * must stay valid); only the chosen part of the response is changed, by exactly one character.
 */
export async function startTamperingProxy(options: TamperingProxyOptions): Promise<TamperingProxy> {
  const target = options.target.replace(/\/$/, "");
  let tampered = 0;
  const server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const method = req.method ?? "GET";
      const path = req.url ?? "/";
      const upstream = await fetch(target + path, {
        method,
        headers: forwardable(req.headers),
        body: method === "GET" || method === "HEAD" ? null : Buffer.concat(chunks),
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      const headers: Record<string, string> = {};
      upstream.headers.forEach((value, name) => {
        if (!DROPPED.has(name)) headers[name] = value;
      });
      if (options.when?.({ method, path }) ?? true) {
        if (options.tamper === "signature" && headers["alipay-signature"]) {
          headers["alipay-signature"] = flipFirstChar(headers["alipay-signature"]);
          tampered += 1;
        } else if (options.tamper === "body" && body.length > 0) {
          // The middle byte: the body's length and shape stay plausible, its signature does not.
          const at = Math.floor(body.length / 2);
          body[at] = body[at] === 0x41 ? 0x42 : 0x41;
          tampered += 1;
        }
      }
      headers["content-length"] = String(body.length);
      res.writeHead(upstream.status, headers).end(body);
    } catch (error) {
      res.writeHead(502, { "content-type": "text/plain" }).end(`tampering proxy: ${String(error)}`);
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    get tampered() {
      return tampered;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function forwardable(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !DROPPED.has(name))
      out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** The first character changed to its neighbour in the base64 alphabet (the first carries 6 real bits). */
function flipFirstChar(signature: string): string {
  const index = BASE64.indexOf(signature[0] ?? "A");
  return BASE64[(index + 1) % BASE64.length] + signature.slice(1);
}
