import type { LoadTestReport, StepResult } from '../run.ts';
import {
  actualText,
  bySeries,
  cellText,
  comparisonRows,
  errorReasonsOf,
  mechanismCells,
  ms,
  notes,
  percent,
  plottedLatency,
  rate,
  reasonLabel,
  stepStatus,
  SUSTAINED,
} from './format.ts';
import { reportPage } from './page.ts';
import { escapeXml as escape, lineChart, seriesStyle, sideBySide, type Series } from './svg.ts';

type Metric = (step: StepResult) => number;

/** One chart's series: every target (and variant) with the metric at each offered rate. */
function seriesOf(
  report: LoadTestReport,
  steps: StepResult[],
  metric: Metric,
  label: (step: StepResult) => string,
): Series[] {
  const variants = [...new Set(report.steps.map((step) => step.variant))];
  return [...bySeries(steps)].map(([name, group]) => ({
    name,
    ...seriesStyle(report.settings.targets, variants, group[0]!.target, group[0]!.variant),
    points: group.map((step) => ({
      x: step.offeredRate,
      y: metric(step),
      flagged: stepStatus(step).kind !== 'ok',
      label: label(step),
    })),
  }));
}

/** The charts for one set of steps (one variant, or all of them together). */
function charts(report: LoadTestReport, steps: StepResult[], suffix: string) {
  const latency = (name: string, metric: Metric) =>
    lineChart({
      title: `${name} latency vs offered rate${suffix}`,
      xLabel: 'offered requests/s (log)',
      yLabel: `${name} ms (log)`,
      yLog: true,
      threshold: { y: SUSTAINED.p99Ms, label: `${SUSTAINED.p99Ms} ms` },
      // a failing step's latency is left out (NaN), not drawn as a healthy point
      series: seriesOf(
        report,
        steps,
        (step) => plottedLatency(step, metric(step)) ?? Number.NaN,
        (step) => `${ms(metric(step))} ms`,
      ),
    });
  return {
    p99: latency('p99', (step) => step.latency.p99),
    p50: latency('p50', (step) => step.latency.p50),
    achieved: lineChart({
      title: `achieved vs offered rate${suffix}`,
      xLabel: 'offered requests/s (log)',
      yLabel: 'achieved ok/s (log)',
      yLog: true,
      diagonal: true,
      series: seriesOf(
        report,
        steps,
        (step) => Math.max(step.achievedRate, 0.1),
        (step) => `${rate(step.achievedRate)}/s`,
      ),
    }),
    errors: lineChart({
      title: `errors vs offered rate${suffix}`,
      xLabel: 'offered requests/s (log)',
      yLabel: 'errors %',
      yMax: Math.max(1, ...steps.map((step) => step.errorRate * 100)),
      series: seriesOf(
        report,
        steps,
        (step) => step.errorRate * 100,
        (step) => `${percent(step.errorRate)}%`,
      ),
    }),
  };
}

/** The p99 charts of each variant side by side: the image docs/benchmarks.md shows. */
export function summarySvg(report: LoadTestReport): string {
  const variants = [...new Set(report.steps.map((step) => step.variant))];
  return sideBySide(
    variants.map(
      (variant) =>
        charts(
          report,
          report.steps.filter((step) => step.variant === variant),
          variant ? ` (${variant})` : '',
        ).p99,
    ),
  );
}

function stepTable(steps: StepResult[]): string {
  const rows = steps.map(
    (step) => `<tr class="${stepStatus(step).kind === 'ok' ? '' : 'bad'}">
<td>${escape(step.target)}</td><td>${escape(step.variant ?? '')}</td><td>${rate(step.offeredRate)}</td><td>${rate(step.achievedRate)}</td>
<td>${ms(step.latency.p50)}</td><td>${ms(step.latency.p90)}</td><td>${ms(step.latency.p99)}</td><td>${ms(step.latency.max)}</td>
<td>${step.completed}</td><td>${percent(step.errorRate)}</td><td>${step.cacheHitRatio === null ? '-' : percent(step.cacheHitRatio)}</td>${mechanismCells(
      step,
    )
      .map((cell) => `<td>${cell}</td>`)
      .join('')}<td>${escape(notes(step).join(', '))}</td></tr>`,
  );
  return `<table><thead><tr><th>target</th><th>variant</th><th>offered/s</th><th>achieved/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>responses</th><th>errors %</th><th>cache hit %</th><th>SQL/req</th><th>fetches/req</th><th>CPU ms/req</th><th>notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Each step against the run's thresholds (--threshold): the step's figure and the verdict, a failure marked. */
function thresholdSection(report: LoadTestReport): string {
  const thresholds = report.settings.thresholds ?? [];
  const rows = report.steps.map((step) => {
    const cells = (step.thresholds ?? []).map(
      (result) =>
        `<td class="${result.passed ? '' : 'bad'}">${result.passed ? 'pass' : 'FAIL'} ${escape(actualText(result))}</td>`,
    );
    return `<tr><td>${escape(step.target)}</td><td>${escape(step.variant ?? '')}</td><td>${rate(step.offeredRate)}</td>${cells.join('')}</tr>`;
  });
  return `<h2>Thresholds</h2><table><thead><tr><th>target</th><th>variant</th><th>offered/s</th>${thresholds
    .map((threshold) => `<th>${escape(threshold)}</th>`)
    .join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Each step's service CPU per request, by service, beside its statements and fetches. */
function mechanismSection(steps: StepResult[]): string {
  const read = steps.filter((step) => step.mechanism);
  if (!read.length) return "<p>The services' counters were not read in this run.</p>";
  const services = [...new Set(read.flatMap((step) => Object.keys(step.mechanism!.cpuMsByService)))];
  const rows = read.map((step) => {
    const byService = step.mechanism!.cpuMsByService;
    return `<tr><td>${escape(step.target)}</td><td>${escape(step.variant ?? '')}</td><td>${rate(step.offeredRate)}</td>${mechanismCells(
      step,
    )
      .map((cell) => `<td>${cell}</td>`)
      .join('')}${services.map((service) => `<td>${ms(byService[service])}</td>`).join('')}</tr>`;
  });
  return `<p>Counted at the services, not estimated: each one's <code>/metrics</code> read right before and after the step
(<code>db_statements_total</code> of the subgraphs, <code>subgraph_fetches_total</code> of the gateway, every service's
<code>process_cpu_seconds_total</code>), divided by the step's successful requests (a page load: the REST target's four calls count as one).
A dash: a service did not answer or does not count it.</p>
<table><thead><tr><th>target</th><th>variant</th><th>offered/s</th><th>SQL/req</th><th>fetches/req</th><th>CPU ms/req</th>${services
    .map((service) => `<th>${escape(service)} CPU ms/req</th>`)
    .join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function comparison(report: LoadTestReport): string {
  const rates = report.settings.rates;
  const rows = comparisonRows(report.steps, rates).map(
    (row) =>
      `<tr><td>${escape(row.target)}</td><td>${escape(row.variant ?? '')}</td>${row.cells
        .map(
          (cell) =>
            `<td class="${cell && (stepStatus(cell).kind !== 'ok' || cell.latency.p99 >= SUSTAINED.p99Ms) ? 'bad' : ''}">${escape(cellText(cell))}</td>`,
        )
        .join('')}<td><strong>${row.sustained ? `${row.sustained}/s` : 'none'}</strong></td></tr>`,
  );
  return `<table><thead><tr><th>target</th><th>variant</th>${rates.map((r) => `<th>p99 ms @ ${r}/s</th>`).join('')}<th>highest rate with p99 &lt; ${SUSTAINED.p99Ms} ms and &lt; 1% errors</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Where services sent Server-Timing: the mean of each part per step, as a stacked bar. */
function serverTimingSection(steps: StepResult[]): string {
  const timed = steps.filter((step) => Object.keys(step.serverTiming).length);
  if (!timed.length) return '<p>No service sent <code>Server-Timing</code> headers in this run.</p>';
  const parts = [...new Set(timed.flatMap((step) => Object.keys(step.serverTiming)))].filter(
    (name) => name !== 'total',
  );
  const colors = ['#1f77b4', '#e6550d', '#2ca02c', '#9467bd', '#8c564b', '#d6359a', '#17becf', '#bcbd22'];
  const rows = timed.map((step) => {
    const scale = Math.max(step.latency.mean, step.serverTiming.total ?? 0, 0.001);
    const bars = parts
      .filter((part) => step.serverTiming[part])
      .map(
        (part) =>
          `<span style="width:${Math.min(100, (step.serverTiming[part]! / scale) * 100).toFixed(1)}%;background:${colors[parts.indexOf(part) % colors.length]}" title="${escape(part)} ${ms(step.serverTiming[part]!)} ms"></span>`,
      )
      .join('');
    return `<tr><td>${escape(step.target)}</td><td>${escape(step.variant ?? '')}</td><td>${rate(step.offeredRate)}</td><td>${ms(step.latency.mean)}</td>${parts
      .map((part) => `<td>${step.serverTiming[part] === undefined ? '-' : ms(step.serverTiming[part]!)}</td>`)
      .join('')}<td class="bar">${bars}</td></tr>`;
  });
  const legend = parts
    .map((part, i) => `<span class="key" style="background:${colors[i % colors.length]}"></span>${escape(part)}`)
    .join(' ');
  return `<p>Mean milliseconds per part, as the services reported them (parts can overlap: a gateway's subgraph fetches run in parallel). ${legend}</p>
<table><thead><tr><th>target</th><th>variant</th><th>offered/s</th><th>client mean ms</th>${parts.map((part) => `<th>${escape(part)}</th>`).join('')}<th>share of client mean</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function errorSection(steps: StepResult[]): string {
  const failing = steps.filter((step) => step.errors > 0);
  if (!failing.length) return '<p>No errors.</p>';
  return `<ul>${failing
    .map(
      (step) =>
        `<li><strong>${escape(step.target)}${step.variant ? ` (${escape(step.variant)})` : ''} @ ${step.offeredRate}/s</strong>: ${escape(stepStatus(step).text)}, ${step.errors} errors<ul>${errorReasonsOf(
          step,
        )
          .map(
            (reason) =>
              `<li>${escape(reasonLabel(reason))} ×${reason.count}: <code>${escape(reason.sample.url)}</code> ${escape(reason.sample.message)}</li>`,
          )
          .join('')}</ul></li>`,
    )
    .join('')}</ul>`;
}

/**
 * The self-contained HTML report: inline CSS and server-rendered SVG, no script and nothing
 * fetched, so it opens offline and can be mailed around as one file.
 */
export function renderHtmlReport(report: LoadTestReport): string {
  const variants = [...new Set(report.steps.map((step) => step.variant))];
  const chartRows = variants.map((variant) => ({
    variant,
    ...charts(
      report,
      report.steps.filter((step) => step.variant === variant),
      variant ? ` (${variant})` : '',
    ),
  }));
  const grid = (key: 'p99' | 'p50' | 'achieved' | 'errors') =>
    `<div class="charts">${chartRows.map((row) => `<figure>${row[key]}</figure>`).join('')}</div>`;
  const { settings, machine, dataSet } = report;
  const facts: [string, string][] = [
    ['started', report.startedAt],
    ['finished', report.finishedAt],
    ['machine', `${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.platform}`],
    ['Node', machine.node],
    [
      'data set',
      dataSet.items
        ? `${dataSet.items.toLocaleString('en')} items`
        : `newest item id ${dataSet.maxItemId.toLocaleString('en')}`,
    ],
    ['targets', settings.targets.join(', ')],
    ['variants', settings.variants.join(', ') || '-'],
    ['rates', `${settings.rates.join(', ')} requests/s`],
    [
      'per step',
      `${settings.warmupSeconds} s warm-up, ${settings.durationSeconds} s measured, timeout ${settings.timeoutMs} ms, up to ${settings.connections} connections per origin`,
    ],
    ...(settings.notes ?? []).map((note): [string, string] => ['note', note]),
  ];
  return reportPage(
    report.title,
    facts,
    `<p>Open model: each step offers its rate on a fixed schedule; latency runs from each request's scheduled start, so a server that falls behind shows
as latency and a short achieved rate. A cross marks a step that was failing (any error) or saturated (answered less than 90% of its offered rate,
without errors); the latency of a step with more than 1% errors is not plotted. An error is a non-2xx status, a timeout,
or a GraphQL body with <code>errors</code>.</p>
<h2>Comparison</h2>${comparison(report)}${report.settings.thresholds?.length ? thresholdSection(report) : ''}
<h2>p99 latency</h2>${grid('p99')}
<h2>p50 latency</h2>${grid('p50')}
<h2>Achieved vs offered</h2>${grid('achieved')}
<h2>Errors</h2>${grid('errors')}
<h2>Every step</h2>${stepTable(report.steps)}
<h2>What the services did per request</h2>${mechanismSection(report.steps)}
<h2>Server-Timing breakdown</h2>${serverTimingSection(report.steps)}
<h2>Error samples</h2>${errorSection(report.steps)}`,
    `td:first-child,th:first-child,td:nth-child(2){text-align:left}tr.bad td,td.bad{background:#fdecea}
td.bar{width:240px;text-align:left}td.bar span{display:inline-block;height:12px}.key{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;vertical-align:middle}`,
  );
}
