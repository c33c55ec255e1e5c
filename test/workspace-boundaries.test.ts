import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * No relative import leaves its workspace: code of one workspace reaches another only through that
 * workspace's package name (and its package.json `exports`), a dependency pnpm and turbo can see.
 * The workspaces are apps/*, packages/* and the root (test/, scripts/ and the root's config files).
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const skippedDirs = new Set(["node_modules", "dist", ".data", ".git", ".turbo"]);

function tsFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skippedDirs.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...tsFiles(path));
    else if (/\.(ts|mts|cts)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) found.push(path);
  }
  return found;
}

/** The workspace a repository-relative path belongs to: "apps/api", "packages/redis" or "(root)". */
function workspaceOf(repoPath: string): string {
  const [top, name] = repoPath.split(sep);
  if ((top === "apps" || top === "packages") && name !== undefined) return `${top}/${name}`;
  return "(root)";
}

/** Module specifiers of static imports, re-exports, dynamic imports and vi.mock/importActual calls. */
function specifiersOf(source: string): string[] {
  const patterns = [
    /\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\bvi\.(?:mock|doMock|importActual|importMock)\s*\(\s*["']([^"']+)["']/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

describe("workspace boundaries", () => {
  it("no relative import resolves outside its own workspace", () => {
    const files = [
      ...tsFiles(join(root, "apps")),
      ...tsFiles(join(root, "packages")),
      ...tsFiles(join(root, "test")),
      ...tsFiles(join(root, "scripts")),
      ...readdirSync(root)
        .filter((name) => /\.(ts|mts)$/.test(name))
        .map((name) => join(root, name)),
    ];
    expect(files.length).toBeGreaterThan(100);

    const offenders: string[] = [];
    for (const file of files) {
      const from = relative(root, file);
      const own = workspaceOf(from);
      for (const specifier of specifiersOf(readFileSync(file, "utf8"))) {
        if (!specifier.startsWith(".")) continue;
        const target = relative(root, resolve(dirname(file), specifier));
        if (target.startsWith("..") || workspaceOf(target) !== own) {
          offenders.push(`${from} imports "${specifier}" (${own} -> ${workspaceOf(target)})`);
        }
      }
    }
    expect(offenders, offenders.join("\n")).toEqual([]);
  });

  it("notices an import that crosses a workspace boundary", () => {
    const source = `import { x } from "${"../".repeat(3)}apps/api/test/support/api-harness";`;
    const [specifier] = specifiersOf(source);
    const target = relative(root, resolve(root, "packages/client/test", specifier!));
    expect(workspaceOf(target)).toBe("apps/api");
    expect(workspaceOf(join("packages", "client", "test", "a.ts"))).toBe("packages/client");
  });
});
