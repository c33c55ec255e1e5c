import { MAX_ENQUEUE_BATCH } from "@riskq/contracts";

/** The API refuses bodies over 1 MiB (413); chunks stay under it with room for `{"items":[…]}`. */
const MAX_BODY_BYTES = 1024 * 1024;
const ENVELOPE_BYTES = 64;

const encoder = new TextEncoder();

/**
 * Splits requests into consecutive chunks the batch endpoint accepts: at most 1 000 items, and a
 * JSON body under 1 MiB (1 000 items with long callback URLs would exceed it). Order is kept.
 */
export function batchChunks<T>(requests: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const request of requests) {
    const size = encoder.encode(JSON.stringify(request)).length + 1; // + the separating comma
    if (chunk.length > 0 && (chunk.length >= MAX_ENQUEUE_BATCH || bytes + size > MAX_BODY_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = ENVELOPE_BYTES;
    }
    chunk.push(request);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
