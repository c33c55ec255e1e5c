import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder an app's relative defaults hang from (`.data/sandbox/` keys): the repository root
 * whatever folder the app is started from. Given the `import.meta.url` of a module directly under
 * `apps/<app>/src/` when the app runs from source, or of its bundle `dist/<app>.mjs` (`pnpm build`,
 * the image), where the root is the folder holding `dist/`.
 */
export function appRoot(moduleUrl: string | URL): string {
  const dir = dirname(fileURLToPath(moduleUrl));
  return basename(dir) === "dist" ? dirname(dir) : resolve(dir, "..", "..", "..");
}
