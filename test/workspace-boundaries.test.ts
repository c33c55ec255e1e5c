import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * No relative import leaves its workspace: code of one workspace reaches another only through that
 * workspace's package name (and its package.json `exports`), a dependency pnpm and turbo can see.
 * The workspaces are apps/*, packages/* and the root (test/, scripts/ and the root's config files).
 * Apps depend on packages only, never on another app, not even for their tests (tests that need
 * several apps live in test/, whose workspace may depend on apps). And no file grows past
 * MAX_LINES: sources, tests and their support files alike.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const skippedDirs = new Set(["node_modules", "dist", ".data", ".git", ".turbo"]);
const MAX_LINES = 400;

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

/** The fields of a package.json that make pnpm link one workspace into another. */
const DEPENDENCY_FIELDS = [
  "dependencies",
  "devDependencies",
  "peerDependencies",
  "optionalDependencies",
] as const;
type Manifest = { name: string } & Partial<
  Record<(typeof DEPENDENCY_FIELDS)[number], Record<string, string>>
>;

/** Lines as an editor numbers them: a final newline does not start another line. */
function lineCount(source: string): number {
  return source.split("\n").length - (source.endsWith("\n") ? 1 : 0);
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

  it("no app's package.json names another app or test/ (apps depend on packages only)", () => {
    const manifestOf = (dir: string) => ({
      file: relative(root, join(dir, "package.json")),
      manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest,
    });
    const apps = readdirSync(join(root, "apps"))
      .map((name) => join(root, "apps", name))
      .filter((dir) => existsSync(join(dir, "package.json")))
      .map(manifestOf);
    expect(apps.length).toBeGreaterThan(3);

    // Every workspace that is not a package: the apps and the repository's tests (@riskq/repo-tests).
    const notPackages = new Set(
      [...apps, manifestOf(join(root, "test"))].map(({ manifest }) => manifest.name),
    );
    const offenders = apps.flatMap(({ file, manifest }) =>
      DEPENDENCY_FIELDS.flatMap((field) =>
        Object.keys(manifest[field] ?? {})
          .filter((name) => notPackages.has(name))
          .map((name) => `${file} ${field}: ${name}`),
      ),
    );
    expect(offenders, offenders.join("\n")).toEqual([]);
  });

  it(`no .ts file under apps/, packages/ or test/ is over ${MAX_LINES} lines`, () => {
    const files = ["apps", "packages", "test"].flatMap((dir) => tsFiles(join(root, dir)));
    expect(files.length).toBeGreaterThan(100);

    const offenders = files.flatMap((file) => {
      const lines = lineCount(readFileSync(file, "utf8"));
      return lines > MAX_LINES ? [`${relative(root, file)}: ${lines} lines`] : [];
    });
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
