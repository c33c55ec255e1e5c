import { fileURLToPath } from "node:url";

/** The monorepo root, found from this file's place (packages/testing/src), never from the cwd. */
export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
