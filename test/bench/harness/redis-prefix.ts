import { randomBytes } from "node:crypto";

/** A fresh hash-tagged prefix such as `{bench-1a2b3c4d}`: one run's keys, apart from everything else. */
export function newBenchPrefix(): string {
  return `{bench-${randomBytes(4).toString("hex")}}`;
}

export { deletePrefix } from "@riskq/redis";
