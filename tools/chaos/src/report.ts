// A chaos run as a table: one row per fault, for the terminal and as markdown (docs/fault-tolerance.md).
import type { ChaosReport, FaultResult } from './run.ts';

const HEADERS = [
  'fault',
  'failed before',
  'window s',
  'requests',
  'failed',
  'failed by reason',
  'failed after',
  'recovery s',
  'creates acked/retried',
  'patches acked/retried',
  'lost',
  'dup',
  'unresolved',
  'lost upd',
  'stale reads',
] as const;

const reasons = (list: [string, number][]) => list.map(([reason, count]) => `${reason} ×${count}`).join(', ') || '-';

/** One fault's row, cell by cell. */
function cells(result: FaultResult): string[] {
  const { audit } = result;
  return [
    result.fault,
    `${result.before.failed}/${result.before.requests}`,
    (result.windowMs / 1000).toFixed(1),
    String(result.window.requests),
    String(result.window.failed),
    reasons(result.window.reasons),
    result.after.failed ? `${result.after.failed} (${reasons(result.after.reasons)})` : '0',
    result.recoveryMs === null ? 'not in run' : (result.recoveryMs / 1000).toFixed(1),
    `${audit.creates.acked}/${audit.creates.retried}`,
    `${audit.patches.acked}/${audit.patches.retried}`,
    String(audit.lost),
    String(audit.duplicates),
    String(audit.unresolved),
    String(audit.lostUpdates),
    `${audit.staleReads}/${audit.patches.reads}${audit.failedReads ? ` (${audit.failedReads} unanswered)` : ''}`,
  ];
}

/** The run's parameters in a line. */
function settings(report: ChaosReport): string {
  const o = report.options;
  return (
    `${report.date}  balancer ${o.balancer}, ${o.rate} requests/s, ${o.durationSeconds} s per fault (fault after ` +
    `${o.quietSeconds} s), Redis down ${o.redisDownSeconds} s, Postgres cut ${o.postgresCutSeconds} s, recovered = ` +
    `${o.streak} successes in a row on every target, ${report.items} items, ${warmupLine(report)}`
  );
}

/** How long the warm-up took, and whether the stack carried the rate by its end. */
function warmupLine(report: ChaosReport): string {
  const { seconds, steady } = report.warmup;
  return steady
    ? `warm-up ${seconds} s (its last ${report.options.warmupSeconds} s failed nothing)`
    : `NOT STEADY: requests still failed after ${seconds} s of warm-up, so every fault's failures include overload`;
}

/** Which targets the failures of a row hit, in and after its window. */
function failuresByTarget(result: FaultResult): string[] {
  return [
    ...(result.window.failed ? [`${result.fault}: failed in the window: ${reasons(result.window.byTarget)}`] : []),
    ...(result.after.failed ? [`${result.fault}: failed after it: ${reasons(result.after.byTarget)}`] : []),
  ];
}

/** The findings behind a row that is not clean (the first few of each). */
function findings(result: FaultResult): string[] {
  const byKind = new Map<string, string[]>();
  for (const finding of result.audit.findings)
    byKind.set(finding.kind, [...(byKind.get(finding.kind) ?? []), finding.what]);
  return [...byKind.entries()].map(
    ([kind, what]) =>
      `${result.fault}: ${what.length} ${kind}: ${what.slice(0, 4).join(', ')}${what.length > 4 ? ', ...' : ''}`,
  );
}

/** The table for a terminal: columns padded, then the findings and what each fault is expected to cost. */
export function reportTable(report: ChaosReport): string {
  const rows = [HEADERS as readonly string[], ...report.results.map(cells)];
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [
    settings(report),
    '',
    ...rows.map(line),
    '',
    ...report.results.flatMap(failuresByTarget),
    ...report.results.flatMap(findings),
    ...report.results.flatMap((result) =>
      result.incomplete ? [`${result.fault}: incomplete: ${result.incomplete}`] : [],
    ),
    ...report.results.map((result) => `${result.fault}: expected failures: ${result.expected}`),
    `services' output: ${report.logFile}`,
  ].join('\n');
}

/** The same as a markdown table, with the findings as a list under it. */
export function reportMarkdown(report: ChaosReport): string {
  const row = (row: readonly string[]) => `| ${row.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  const found = [
    ...report.results.flatMap(failuresByTarget),
    ...report.results.flatMap(findings),
    ...report.results.flatMap((result) =>
      result.incomplete ? [`${result.fault}: incomplete: ${result.incomplete}`] : [],
    ),
  ];
  return [
    settings(report),
    '',
    row(HEADERS),
    row(HEADERS.map(() => '---')),
    ...report.results.map((result) => row(cells(result))),
    ...(found.length ? ['', ...found.map((finding) => `- ${finding}`)] : []),
    '',
  ].join('\n');
}
