import { UNITS_PER_USD } from "@riskq/cost";
import type { BillCurve, BillProjection } from "./bill-curves";
import { esc } from "./html-escape";

/** One colour per batch size, in order (colour-blind-safe "Dark2"); the current one is also thicker. */
const PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d"];
const WIDTH = 560;
const HEIGHT = 320;
const MARGIN = { left: 72, right: 18, top: 30, bottom: 46 };

/** The colour of each batch size drawn, by its position among them (the same in both panels). */
export function batchColours(projection: BillProjection): Map<number, string> {
  const sizes = [...new Set(projection.curves.map((c) => c.batchSize))].sort((a, b) => a - b);
  return new Map(sizes.map((size, i) => [size, PALETTE[i % PALETTE.length]!]));
}

/**
 * One small multiple per pre-filter mode: the projected monthly bill (y, USD) against
 * `confidence_threshold` (x), one polyline per batch size, on a shared y scale so the panels compare
 * by eye. The current threshold is a dashed line in both; the current setting a ringed dot on its
 * curve (`.current-setting`). Plain SVG: no script, no font download.
 */
export function billCharts(projection: BillProjection): string[] {
  const colours = batchColours(projection);
  const top = niceCeiling(
    Math.max(projection.recordedMonthlyUnits, ...projection.curves.flatMap((c) => c.monthlyUnits)) /
      UNITS_PER_USD,
  );
  return (["off", "on"] as const).map((mode) =>
    panel(
      projection,
      projection.curves.filter((c) => c.prefilter === mode),
      mode,
      top,
      colours,
    ),
  );
}

function panel(
  p: BillProjection,
  curves: BillCurve[],
  mode: "off" | "on",
  topUsd: number,
  colours: Map<number, string>,
): string {
  const [x0, x1] = [MARGIN.left, WIDTH - MARGIN.right];
  const [y0, y1] = [HEIGHT - MARGIN.bottom, MARGIN.top];
  const tMin = p.thresholds[0] ?? 0;
  const tMax = p.thresholds.at(-1) ?? 1;
  const x = (t: number) => x0 + ((t - tMin) / (tMax - tMin || 1)) * (x1 - x0);
  const y = (units: number) => y0 - (units / UNITS_PER_USD / (topUsd || 1)) * (y0 - y1);
  const r = (n: number) => n.toFixed(1);
  const out: string[] = [];
  const title = `pre-filter ${mode}${mode === "off" ? " (or shadow): every item sent" : ": clear cases decided locally"}`;
  out.push(
    `<svg class="bill-chart" data-prefilter="${mode}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${esc(`projected monthly bill against confidence_threshold, ${title}`)}">`,
    `<text x="${x0}" y="18" class="panel-title">${esc(title)}</text>`,
  );
  // Grid and y axis (USD).
  for (const tick of ticks(topUsd)) {
    const yy = r(y(tick * UNITS_PER_USD));
    out.push(
      `<line x1="${x0}" x2="${x1}" y1="${yy}" y2="${yy}" class="grid"/>`,
      `<text x="${x0 - 6}" y="${yy}" class="y-label" text-anchor="end" dominant-baseline="middle">${esc(usdShort(tick))}</text>`,
    );
  }
  // x axis: thresholds.
  for (let k = 1; k <= 9; k++) {
    const t = k / 10;
    out.push(
      `<line x1="${r(x(t))}" x2="${r(x(t))}" y1="${y0}" y2="${y0 + 4}" class="axis"/>`,
      `<text x="${r(x(t))}" y="${y0 + 16}" class="x-label" text-anchor="middle">${t.toFixed(1)}</text>`,
    );
  }
  out.push(
    `<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}" class="axis"/>`,
    `<line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y1}" class="axis"/>`,
    `<text x="${(x0 + x1) / 2}" y="${HEIGHT - 6}" class="x-title" text-anchor="middle">confidence_threshold</text>`,
    `<text transform="translate(14 ${(y0 + y1) / 2}) rotate(-90)" class="y-title" text-anchor="middle">USD / month</text>`,
  );
  // What the recorded days cost, scaled to a month: the bill as it is.
  const recordedY = r(y(p.recordedMonthlyUnits));
  out.push(
    `<line x1="${x0}" x2="${x1}" y1="${recordedY}" y2="${recordedY}" class="recorded-line"><title>${esc(`recorded traffic as billed: ${usdShort(p.recordedMonthlyUnits / UNITS_PER_USD)} / month`)}</title></line>`,
  );
  const tNow = p.current.threshold.value;
  out.push(
    `<line x1="${r(x(tNow))}" x2="${r(x(tNow))}" y1="${y0}" y2="${y1}" class="current-threshold"/>`,
    `<text x="${r(x(tNow) + 4)}" y="${y1 + 10}" class="current-label">now ${tNow.toFixed(2)}</text>`,
  );
  for (const curve of curves) {
    const isCurrent = curve.batchSize === p.current.batchSize;
    const points = curve.monthlyUnits.map((u, i) => `${r(x(p.thresholds[i]!))},${r(y(u))}`).join(" ");
    out.push(
      `<polyline class="curve${isCurrent ? " current-batch" : ""}" data-batch="${curve.batchSize}" fill="none" stroke="${colours.get(curve.batchSize)}" stroke-width="${isCurrent ? 3 : 1.6}" points="${points}"><title>${esc(`batch size ${curve.batchSize}, pre-filter ${mode}`)}</title></polyline>`,
    );
  }
  if (mode === p.current.prefilter) {
    const [cx, cy] = [r(x(tNow)), r(y(p.current.monthlyUnits))];
    const label = `now: ${usdShort(p.current.monthlyUnits / UNITS_PER_USD)}/month`;
    out.push(
      `<g class="current-setting" id="current-setting"><circle cx="${cx}" cy="${cy}" r="6" fill="#fff" stroke="#111" stroke-width="2.5"/><circle cx="${cx}" cy="${cy}" r="2.5" fill="#111"/>`,
      `<title>${esc(`current setting: threshold ${tNow.toFixed(2)}, batch size ${p.current.batchSize}, pre-filter ${p.current.prefilterSetting} → ${label}`)}</title></g>`,
      `<text x="${r(x(tNow) + 9)}" y="${r(y(p.current.monthlyUnits) - 9)}" class="current-value">${esc(label)}</text>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
}

/** The smallest 1/2/5 × 10ⁿ at or above `usd` (a y axis top that reads well). */
function niceCeiling(usd: number): number {
  if (!(usd > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(usd));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= usd * 0.999_999) return step * magnitude;
  return 10 * magnitude;
}

function ticks(topUsd: number): number[] {
  return [0, 1, 2, 3, 4, 5].map((i) => (topUsd * i) / 5);
}

/** "$1,250" for large bills, "$3.40" and "$0.0123" for small ones. */
export function usdShort(usd: number): string {
  if (usd === 0) return "$0";
  const digits = usd >= 100 ? 0 : usd >= 1 ? 2 : 4;
  return `$${usd.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
