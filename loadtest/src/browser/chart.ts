// The browser bench's chart, an SVG string with no script: in the HTML report and, live, in the lab.
import { ms } from '../report/format.ts';
import { escapeXml } from '../report/svg.ts';
import { BROWSER_VARIANTS, type BrowserVariant, type Metric, type VariantResult } from './variants.ts';

export const METRIC_LABELS: Record<Metric, string> = {
  ttfb: 'TTFB',
  fcp: 'FCP',
  lcp: 'LCP',
  itemVisible: 'item visible',
};
export const CHARTED: Metric[] = ['fcp', 'lcp', 'itemVisible'];
const COLORS: Record<Metric, string> = { ttfb: '#999', fcp: '#4e79a7', lcp: '#f28e2b', itemVisible: '#59a14f' };
const VARIANT_ORDER = Object.keys(BROWSER_VARIANTS) as BrowserVariant[];

/** One millisecond scale for every chart of a report: the largest charted p95, at least 50 ms. */
export const chartScaleMax = (results: readonly VariantResult[]) =>
  Math.max(50, ...results.flatMap((result) => CHARTED.map((metric) => result.summary[metric].p95)));

/**
 * One chart per background rate: for each variant, a bar per metric at its p50 with a whisker to
 * its p95, on one millisecond scale for every chart, so the rates compare at a glance.
 */
export function browserChartSvg(results: VariantResult[], backgroundRate: number, scaleMax: number): string {
  const shown = results
    .filter((result) => result.backgroundRate === backgroundRate)
    .sort((a, b) => VARIANT_ORDER.indexOf(a.variant) - VARIANT_ORDER.indexOf(b.variant));
  const width = 560;
  const left = 130;
  const plot = width - left - 20;
  const barHeight = 10;
  const groupHeight = CHARTED.length * (barHeight + 3) + 14;
  const height = 40 + shown.length * groupHeight + 30;
  const x = (value: number) => left + (Math.min(value, scaleMax) / scaleMax) * plot;
  const ticks = niceTicks(scaleMax);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,sans-serif" font-size="11">`,
    `<text x="${left}" y="16" font-size="13" font-weight="600">${escapeXml(`background ${backgroundRate}/s: p50 (bar), p95 (line)`)}</text>`,
  ];
  for (const tick of ticks)
    parts.push(
      `<line x1="${x(tick)}" y1="28" x2="${x(tick)}" y2="${height - 26}" stroke="#eee"/><text x="${x(tick)}" y="${height - 12}" text-anchor="middle" fill="#666">${tick} ms</text>`,
    );
  shown.forEach((result, index) => {
    const top = 34 + index * groupHeight;
    parts.push(
      `<text x="${left - 8}" y="${top + groupHeight / 2 - 4}" text-anchor="end">${escapeXml(BROWSER_VARIANTS[result.variant].label)}</text>`,
    );
    CHARTED.forEach((metric, row) => {
      const y = top + row * (barHeight + 3);
      const { p50, p95 } = result.summary[metric];
      parts.push(
        `<rect x="${left}" y="${y}" width="${(x(p50) - left).toFixed(1)}" height="${barHeight}" fill="${COLORS[metric]}"><title>${escapeXml(`${result.variant} ${METRIC_LABELS[metric]}: p50 ${ms(p50)} ms, p95 ${ms(p95)} ms`)}</title></rect>`,
        `<line x1="${x(p50).toFixed(1)}" y1="${y + barHeight / 2}" x2="${x(p95).toFixed(1)}" y2="${y + barHeight / 2}" stroke="${COLORS[metric]}" stroke-width="1.5"/>`,
        `<line x1="${x(p95).toFixed(1)}" y1="${y}" x2="${x(p95).toFixed(1)}" y2="${y + barHeight}" stroke="${COLORS[metric]}" stroke-width="1.5"/>`,
      );
    });
  });
  let keyX = left;
  for (const metric of CHARTED) {
    parts.push(
      `<rect x="${keyX}" y="${height - 8}" width="10" height="8" fill="${COLORS[metric]}"/><text x="${keyX + 14}" y="${height - 1}">${METRIC_LABELS[metric]}</text>`,
    );
    keyX += 100;
  }
  parts.push('</svg>');
  return parts.join('');
}

function niceTicks(max: number): number[] {
  const step =
    [10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000].find((candidate) => max / candidate <= 6) ?? 10_000;
  const ticks: number[] = [];
  for (let tick = 0; tick <= max; tick += step) ticks.push(tick);
  return ticks;
}
