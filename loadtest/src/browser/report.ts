import type { MachineInfo } from '../run.ts';
import { reportPage } from '../report/page.ts';
import { ms } from '../report/format.ts';
import { escapeXml } from '../report/svg.ts';
import type { BackgroundResult, BrowserBenchOptions } from './bench.ts';
import { browserChartSvg, chartScaleMax } from './chart.ts';
import type { Metric, VariantResult } from './variants.ts';

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

/** The results as a Markdown table, for docs/ssr.md. */
export function browserMarkdown(report: BrowserBenchReport): string {
  return [
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map((_, column) => (column < 2 ? '---' : '---:')).join(' | ')} |`,
    ...rows(report).map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/** The self-contained HTML report (inline CSS and SVG, no script), in the load tester's style. */
export function renderBrowserReport(report: BrowserBenchReport): string {
  const rates = [...new Set(report.results.map((result) => result.backgroundRate))];
  const scaleMax = chartScaleMax(report.results);
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
