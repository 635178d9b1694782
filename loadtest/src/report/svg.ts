import { colorOf } from './palette.ts';

/** Server-rendered SVG line charts: no script, no fonts to fetch, readable in any browser or Markdown page. */

export interface Point {
  x: number;
  y: number;
  /** Drawn as a cross: the step fell short of its offered rate. */
  flagged?: boolean;
  label?: string;
}

export interface Series {
  name: string;
  color: string;
  dash?: string;
  points: Point[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  yLog?: boolean;
  /** A dashed horizontal line, e.g. the 100 ms bar. */
  threshold?: { y: number; label: string };
  /** Draw y = x (achieved equals offered). */
  diagonal?: boolean;
  yMax?: number;
  width?: number;
  height?: number;
}

export const escapeXml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const DASHES = ['', '7 4', '2 3', '10 3 2 3'];

/** A stable colour per target and a dash pattern per variant. */
export function seriesStyle(targets: string[], variants: (string | null)[], target: string, variant: string | null) {
  return {
    color: colorOf(target, targets.indexOf(target)),
    dash: DASHES[Math.max(0, variants.indexOf(variant)) % DASHES.length]!,
  };
}

const fmt = (value: number) =>
  value >= 1000 ? `${value / 1000}k` : value >= 1 ? String(Math.round(value * 100) / 100) : String(value);

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let exp = Math.floor(Math.log10(min)); exp <= Math.ceil(Math.log10(max)); exp++) ticks.push(10 ** exp);
  return ticks;
}

function linearTicks(max: number): number[] {
  const step = 10 ** Math.floor(Math.log10(max || 1));
  const nice = max / step > 5 ? step * 2 : max / step > 2 ? step : step / 2;
  const ticks: number[] = [];
  for (let value = 0; value <= max + nice / 2; value += nice) ticks.push(Math.round(value * 1000) / 1000);
  return ticks;
}

/** One chart: x is the offered rate on a log axis, y latency (log) or a linear quantity. */
export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 560;
  const height = options.height ?? 340;
  const margin = { top: 34, right: 16, bottom: 46, left: 58 };
  const legendRows = Math.ceil(options.series.length / 2);
  const legendHeight = legendRows * 18 + 6;
  const plot = { w: width - margin.left - margin.right, h: height - margin.top - margin.bottom };
  const points = options.series
    .flatMap((series) => series.points)
    .filter((point) => Number.isFinite(point.y) && Number.isFinite(point.x));
  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y).concat(options.threshold ? [options.threshold.y] : []);
  const xTicks = logTicks(Math.min(...xs, 1), Math.max(...xs, 10));
  const [x0, x1] = [Math.log10(xTicks[0]!), Math.log10(xTicks.at(-1)!)];
  const yTicks = options.yLog
    ? logTicks(Math.max(0.1, Math.min(...ys.filter((y) => y > 0), 1)), Math.max(...ys, 10))
    : linearTicks(options.yMax ?? Math.max(...ys, options.diagonal ? Math.max(...xs) : 0, 1));
  const [y0, y1] = options.yLog ? [Math.log10(yTicks[0]!), Math.log10(yTicks.at(-1)!)] : [0, yTicks.at(-1)!];
  const sx = (x: number) => margin.left + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * plot.w;
  const sy = (y: number) => {
    const value = options.yLog ? Math.log10(Math.max(y, yTicks[0]!)) : y;
    return margin.top + plot.h - ((value - y0) / (y1 - y0 || 1)) * plot.h;
  };
  const parts: string[] = [];
  parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" class="title">${escapeXml(options.title)}</text>`);
  for (const tick of yTicks) {
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plot.w}" y1="${sy(tick)}" y2="${sy(tick)}" class="grid"/>`,
    );
    parts.push(`<text x="${margin.left - 6}" y="${sy(tick) + 4}" text-anchor="end">${fmt(tick)}</text>`);
  }
  for (const tick of xTicks) {
    parts.push(`<line x1="${sx(tick)}" x2="${sx(tick)}" y1="${margin.top}" y2="${margin.top + plot.h}" class="grid"/>`);
    parts.push(`<text x="${sx(tick)}" y="${margin.top + plot.h + 16}" text-anchor="middle">${fmt(tick)}</text>`);
  }
  parts.push(
    `<text x="${margin.left + plot.w / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${margin.top + plot.h / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  if (options.diagonal) {
    const top = xTicks.at(-1)!;
    const diagonal = [xTicks[0]!, Math.min(top, options.yLog ? top : y1)];
    parts.push(
      `<line x1="${sx(diagonal[0]!)}" y1="${sy(diagonal[0]!)}" x2="${sx(diagonal[1]!)}" y2="${sy(diagonal[1]!)}" class="ref"/>`,
    );
  }
  if (options.threshold) {
    const y = sy(options.threshold.y);
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plot.w}" y1="${y}" y2="${y}" class="ref"/>`);
    parts.push(
      `<text x="${margin.left + plot.w - 4}" y="${y - 4}" text-anchor="end" class="note">${escapeXml(options.threshold.label)}</text>`,
    );
  }
  for (const series of options.series) {
    const visible = series.points.filter((point) => Number.isFinite(point.y));
    if (!visible.length) continue;
    const path = visible
      .map((point, i) => `${i ? 'L' : 'M'}${sx(point.x).toFixed(1)} ${sy(point.y).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"${series.dash ? ` stroke-dasharray="${series.dash}"` : ''}><title>${escapeXml(series.name)}</title></path>`,
    );
    for (const point of visible) {
      const [cx, cy] = [sx(point.x).toFixed(1), sy(point.y).toFixed(1)];
      const title = `<title>${escapeXml(`${series.name} @ ${point.x}/s: ${point.label ?? point.y}`)}</title>`;
      parts.push(
        point.flagged
          ? `<path d="M${+cx - 4} ${+cy - 4}l8 8m0 -8l-8 8" stroke="${series.color}" stroke-width="2">${title}</path>`
          : `<circle cx="${cx}" cy="${cy}" r="3" fill="${series.color}">${title}</circle>`,
      );
    }
  }
  options.series.forEach((series, i) => {
    const x = margin.left + (i % 2) * (plot.w / 2);
    const y = height + 14 + Math.floor(i / 2) * 18;
    parts.push(
      `<line x1="${x}" x2="${x + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${series.color}" stroke-width="2"${series.dash ? ` stroke-dasharray="${series.dash}"` : ''}/>`,
    );
    parts.push(`<text x="${x + 30}" y="${y}">${escapeXml(series.name)}</text>`);
  });
  const total = height + legendHeight;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${total}" width="${width}" height="${total}" role="img" aria-label="${escapeXml(options.title)}">
<style>text{font:12px system-ui,sans-serif;fill:#222}.title{font-weight:600;font-size:14px}.note{fill:#a00}.grid{stroke:#e3e3e3}.ref{stroke:#a00;stroke-dasharray:4 3}</style>
<rect width="100%" height="100%" fill="#fff"/>
${parts.join('\n')}
</svg>`;
}

/** Several charts side by side in one SVG (for an image in the docs). */
export function sideBySide(charts: string[], gap = 12): string {
  const sizes = charts.map((chart) => {
    const match = /viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"/.exec(chart);
    return { w: Number(match?.[1] ?? 560), h: Number(match?.[2] ?? 340) };
  });
  const width = sizes.reduce((sum, size) => sum + size.w, 0) + gap * (charts.length - 1);
  const height = Math.max(...sizes.map((size) => size.h));
  let x = 0;
  const placed = charts.map((chart, i) => {
    const nested = chart.replace('<svg ', `<svg x="${x}" y="0" `);
    x += sizes[i]!.w + gap;
    return nested;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">\n<rect width="100%" height="100%" fill="#fff"/>\n${placed.join('\n')}\n</svg>`;
}
