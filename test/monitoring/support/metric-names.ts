/** The suffixes of a histogram's series (`_bucket`, `_sum`, `_count`) or a summary's. */
const SERIES_SUFFIX = /_(bucket|sum|count)$/;

/** Metric families of a text exposition, with their types, from its `# TYPE` lines. */
export function exportedFamilies(exposition: string): Map<string, string> {
  return new Map([...exposition.matchAll(/^# TYPE (\S+) (\w+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/**
 * Every `riskq_*` name a PromQL expression or a text names (series names, not label values). A name
 * in a path (`secrets/riskq_api_keys`) or given a value (`riskq_secret_key=…`, a Kubernetes secret's
 * file) is a file name, not a series.
 */
export function riskqNamesIn(text: string): string[] {
  return [...new Set(text.match(/(?<![/\w])riskq_[a-zA-Z0-9_:]+(?![\w:=])/g) ?? [])];
}

/**
 * Whether `name` is a series some family of `families` exports: the family itself, or for a
 * histogram or summary one of its `_bucket` / `_sum` / `_count` series.
 */
export function isExported(name: string, families: ReadonlyMap<string, string>): boolean {
  if (families.has(name)) return true;
  const base = name.replace(SERIES_SUFFIX, "");
  return base !== name && ["histogram", "summary"].includes(families.get(base) ?? "");
}
