import type { MachineInfo } from '../run.ts';
import { reportPage } from '../report/page.ts';
import { escapeXml } from '../report/svg.ts';
import {
  BROWSER_VARIANTS,
  type BackgroundResult,
  type BrowserBenchOptions,
  type BrowserVariant,
  type Metric,
  type VariantResult,
} from './bench.ts';

/** What `npm run browserbench -- --json` writes, and the HTML report is made from. */
export interface BrowserBenchReport {
  title: string;
  startedAt: string;
  finishedAt: string;
  settings: Pick<
    BrowserBenchOptions,
    'variants' | 'samples' | 'backgroundRates' | 'warm' | 'itemId' | 'maxItemId' | 'throttle' | 'network'
  >;
  machine: MachineInfo;
  results: VariantResult[];
  background: BackgroundResult[];
}

const METRIC_LABELS: Record<Metric, string> = {
  ttfb: 'TTFB',
  fcp: 'FCP',
  lcp: 'LCP',
  itemVisible: 'item visible',
};
const CHARTED: Metric[] = ['fcp', 'lcp', 'itemVisible'];
const COLORS: Record<Metric, string> = { ttfb: '#999', fcp: '#4e79a7', lcp: '#f28e2b', itemVisible: '#59a14f' };
const VARIANT_ORDER = Object.keys(BROWSER_VARIANTS) as BrowserVariant[];

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

/** The report's rows: a background rate, a variant, p50/p95 of each metric, bytes, requests. */
function rows(report: BrowserBenchReport): string[][] {
  return report.results.map((result) => [
    `${result.backgroundRate}/s`,
    result.variant,
    ...(['ttfb', 'fcp', 'lcp', 'itemVisible'] as Metric[]).map(
      (metric) => `${ms(result.summary[metric].p50)} / ${ms(result.summary[metric].p95)}`,
    ),
    kb(result.summary.bytes),
    String(result.summary.requests),
  ]);
}

const HEADER = [
  'background',
  'variant',
  'TTFB p50/p95',
  'FCP p50/p95',
  'LCP p50/p95',
  'item visible p50/p95',
  'bytes',
  'requests',
];

/** The results as a terminal table (ms). */
export function browserTable(report: BrowserBenchReport): string {
  const table = [HEADER, ...rows(report)];
  const widths = HEADER.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  const background = report.background
    .filter((entry) => entry.step)
    .map(
      ({ rate, step, answeredPerSecond }) =>
        `background ${rate}/s: ${answeredPerSecond.toFixed(1)} answered/s, p50 ${ms(step!.latency.p50)} ms, p99 ${ms(step!.latency.p99)} ms, errors ${(step!.errorRate * 100).toFixed(1)}%`,
    );
  return [line(HEADER), ...rows(report).map(line), ...background].join('\n');
}

/** The results as a Markdown table, for the README. */
export function browserMarkdown(report: BrowserBenchReport): string {
  return [
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map((_, column) => (column < 2 ? '---' : '---:')).join(' | ')} |`,
    ...rows(report).map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

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

/** The self-contained HTML report (inline CSS and SVG, no script), in the load tester's style. */
export function renderBrowserReport(report: BrowserBenchReport): string {
  const rates = [...new Set(report.results.map((result) => result.backgroundRate))];
  const scaleMax = Math.max(
    50,
    ...report.results.flatMap((result) => CHARTED.map((metric) => result.summary[metric].p95)),
  );
  const { settings, machine } = report;
  const facts: [string, string][] = [
    ['started', report.startedAt],
    ['finished', report.finishedAt],
    ['machine', `${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.platform}`],
    ['Node', machine.node],
    ['variants', settings.variants.join(', ')],
    [
      'samples',
      `${settings.samples} per variant and background rate, ${settings.warm ? 'warm (one context per variant)' : 'cold (a fresh context each)'}`,
    ],
    [
      'items',
      settings.itemId ? `item ${settings.itemId} every time` : `the load tester's mix up to id ${settings.maxItemId}`,
    ],
    ['background', `${settings.backgroundRates.join(', ')} uncached GraphQL page queries/s`],
    ['throttling', `CPU ${settings.throttle}x, network ${settings.network ?? 'none'}`],
  ];
  const table = `<table><thead><tr>${HEADER.map((cell) => `<th>${escapeXml(cell)}</th>`).join('')}</tr></thead><tbody>${rows(
    report,
  )
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeXml(cell)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
  const background = report.background
    .filter((entry) => entry.step)
    .map(
      ({ rate, step, answeredPerSecond }) =>
        `<li>${rate}/s offered: ${answeredPerSecond.toFixed(1)} answered/s, p50 ${ms(step!.latency.p50)} ms, p99 ${ms(step!.latency.p99)} ms, errors ${(step!.errorRate * 100).toFixed(1)}%</li>`,
    )
    .join('');
  return reportPage(
    report.title,
    facts,
    `<p>Each sample loads the page in headless Chromium and reads, in ms from the navigation's start: TTFB (the first byte of the HTML),
First and Largest Contentful Paint, and "item visible" (the item's name and price in the DOM). Bytes and requests are what went over
the wire for the page, its bundle, its data and its images.</p>
<h2>Per variant</h2>${table}
<h2>Charts</h2><div class="charts">${rates.map((rate) => `<figure>${browserChartSvg(report.results, rate, scaleMax)}</figure>`).join('')}</div>
<h2>Background load</h2>${background ? `<ul>${background}</ul>` : '<p>None.</p>'}`,
    'td:nth-child(-n+2),th:nth-child(-n+2){text-align:left}',
  );
}
