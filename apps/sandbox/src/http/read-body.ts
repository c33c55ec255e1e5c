import type { IncomingMessage } from "node:http";
import { ApiError } from "../api-error";

const MAX_BODY_BYTES = 1024 * 1024;
// Past this we stop listening altogether rather than drain an endless upload.
const HARD_CAP_BYTES = 16 * MAX_BODY_BYTES;

/**
 * Reads the raw body as text. Over 1 MiB → 413 request-too-large (docs/alipay-ai-api.md §2); the rest is drained
 * so the client can read the answer instead of seeing a reset connection.
 */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else if (size > HARD_CAP_BYTES) req.destroy();
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) reject(new ApiError(413, "request-too-large", "request body exceeds 1 MiB"));
      else resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
}
