import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { REPO_ROOT } from "@riskq/testing";
import { describe, expect, it } from "vitest";

// The README is a front page; its sections live in docs/. Every relative link and #anchor in
// README.md and docs/*.md must resolve inside the repository: the file (or folder) exists, and an
// anchor into a Markdown file names one of its headings, slugged as GitHub does.

const DOCS = join(REPO_ROOT, "docs");
const FILES = [
  join(REPO_ROOT, "README.md"),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith(".md"))
    .map((name) => join(DOCS, name)),
];

/** The text of a Markdown file without fenced code blocks (lines kept, so line numbers hold). */
function withoutFences(text: string): string[] {
  let fenced = false;
  return text.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line;
  });
}

/**
 * GitHub's anchor for a heading: the rendered text lower-cased, every character that is not a
 * letter, a digit, a space, `-` or `_` removed, spaces turned into `-`.
 */
function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
    .replace(/<[^>]+>/g, "") // inline HTML tags
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

const anchorCache = new Map<string, Set<string>>();

/** The anchors of a Markdown file's headings, duplicates numbered `-1`, `-2`, … as on GitHub. */
function anchorsOf(file: string): Set<string> {
  const cached = anchorCache.get(file);
  if (cached) return cached;
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(readFileSync(file, "utf8"))) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = githubSlug(heading[1]!);
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  anchorCache.set(file, anchors);
  return anchors;
}

interface Link {
  line: number;
  target: string;
}

/** Every inline link and image target of a file, outside code blocks and inline code. */
function linksOf(file: string): Link[] {
  const lines = withoutFences(readFileSync(file, "utf8")).map((line) => line.replace(/`[^`]*`/g, ""));
  const text = lines.join("\n");
  const lineAt = (offset: number) => text.slice(0, offset).split("\n").length;
  const links: Link[] = [];
  // Inline links and images; their text may run over a line break.
  for (const match of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    links.push({ line: lineAt(match.index), target: match[1]! });
  }
  // Reference definitions ("[name]: target").
  lines.forEach((line, index) => {
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(line);
    if (definition) links.push({ line: index + 1, target: definition[1]! });
  });
  return links;
}

/** Why a link of `file` does not resolve, or undefined when it does. */
function brokenBecause(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: … are not ours to check
  const hash = target.indexOf("#");
  const path = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const resolved = path === "" ? file : resolve(dirname(file), path);
  if (relative(REPO_ROOT, resolved).startsWith("..")) return "points outside the repository";
  if (!existsSync(resolved)) return `${relative(REPO_ROOT, resolved)} does not exist`;
  if (anchor === undefined) return undefined;
  if (!resolved.endsWith(".md") || statSync(resolved).isDirectory()) return undefined;
  if (anchorsOf(resolved).has(anchor)) return undefined;
  return `no heading of ${relative(REPO_ROOT, resolved)} has the anchor #${anchor}`;
}

describe("documentation links", () => {
  it("slug headings as GitHub does", () => {
    expect(githubSlug("Maintenance (`pnpm scheduler`)")).toBe("maintenance-pnpm-scheduler");
    expect(githubSlug("Deadlines: a decision inside the payment budget")).toBe(
      "deadlines-a-decision-inside-the-payment-budget",
    );
    expect(githubSlug("The Alipay client (`@riskq/alipay`)")).toBe("the-alipay-client-riskqalipay");
    expect(githubSlug("9. Pricing")).toBe("9-pricing");
    expect(githubSlug("Pre-filter")).toBe("pre-filter");
    expect(githubSlug("RiskqCircuitOpen")).toBe("riskqcircuitopen");
  });

  it("cover the README and every file of docs/", () => {
    expect(FILES.map((file) => relative(REPO_ROOT, file))).toEqual(
      expect.arrayContaining(["README.md", "docs/runbook.md", "docs/metrics.md", "docs/pipeline.md"]),
    );
    expect(FILES.flatMap(linksOf).length).toBeGreaterThan(100);
  });

  it.each(FILES.map((file) => [relative(REPO_ROOT, file), file] as const))(
    "%s: every relative link and #anchor resolves",
    (_name, file) => {
      const broken = linksOf(file).flatMap(({ line, target }) => {
        const why = brokenBecause(file, target);
        return why ? [`line ${line}: ${target}: ${why}`] : [];
      });
      expect(broken).toEqual([]);
    },
  );

  it("the README links every file of docs/", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    for (const file of FILES.filter((f) => f.startsWith(DOCS))) {
      expect(readme, relative(REPO_ROOT, file)).toContain(`](${relative(REPO_ROOT, file)})`);
    }
  });

  it('source citations such as docs/pipeline.md, "Idempotency" name a heading of that file', () => {
    const citations = sourceFiles().flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/\b(docs\/[\w-]+\.md|README)(?:, | \()"([^"\n]+)"/g)].map(
        (m) => ({ file: relative(REPO_ROOT, file), doc: m[1]!, heading: m[2]! }),
      ),
    );
    expect(citations.length).toBeGreaterThan(50);
    const broken = citations.filter(({ doc, heading }) => {
      const path = join(REPO_ROOT, doc === "README" ? "README.md" : doc);
      // A citation may shorten a heading to its start ("Deadlines" for "Deadlines: a decision …").
      return !existsSync(path) || !headingsOf(path).some((h) => h.startsWith(heading));
    });
    expect(broken).toEqual([]);
  });

  it("section citations such as docs/alipay-ai-api.md §5.3 name a numbered section of that file", () => {
    const sections = headingsOf(join(REPO_ROOT, "docs/alipay-ai-api.md")).flatMap((h) => {
      const number = /^(\d+(?:\.\d+)?)\.? /.exec(h);
      return number ? [number[1]!] : [];
    });
    const cited = sourceFiles().flatMap((file) =>
      [
        ...readFileSync(file, "utf8").matchAll(
          /docs\/alipay-ai-api\.md §(\d+(?:\.\d+)?)(?:[–-](\d+(?:\.\d+)?))?/g,
        ),
      ].flatMap((m) =>
        [m[1]!, ...(m[2] ? [m[2]] : [])].map((section) => ({ file: relative(REPO_ROOT, file), section })),
      ),
    );
    expect(cited.length).toBeGreaterThan(50);
    expect(cited.filter(({ section }) => !sections.includes(section))).toEqual([]);
  });
});

/** The headings of a Markdown file as plain text (inline code marks dropped). */
function headingsOf(file: string): string[] {
  return withoutFences(readFileSync(file, "utf8")).flatMap((line) => {
    const heading = /^#{1,6}\s+(.+?)\s*$/.exec(line);
    return heading ? [heading[1]!.replace(/`/g, "")] : [];
  });
}

/** The repository's source and deployment files that may cite a document. */
function sourceFiles(): string[] {
  const files: string[] = [join(REPO_ROOT, "docker-compose.yml")];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }) as Dirent[]) {
      if (["node_modules", "dist", ".data"].includes(entry.name) || entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|ya?ml|json|sh)$/.test(entry.name)) files.push(path);
    }
  };
  for (const dir of ["apps", "packages", "test", "scripts", "deploy"]) walk(join(REPO_ROOT, dir));
  return files;
}
