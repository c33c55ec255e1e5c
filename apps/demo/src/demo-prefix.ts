import { randomBytes } from "node:crypto";

/** A fresh key prefix for one demo run; a hash tag, so every key lives in one Redis Cluster slot. */
export function newDemoPrefix(): string {
  return `{riskq-demo-${randomBytes(4).toString("hex")}}`;
}

export { deletePrefix } from "@riskq/redis";
