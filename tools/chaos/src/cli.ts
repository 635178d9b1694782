// npm run chaos: faults under a mixed load through start:scaled's balancer (see
// docs/fault-tolerance.md). Prints a table, writes JSON (--json) and markdown (--markdown); exits 1
// when the audit found a write lost, duplicated or unresolved, or a stale read.
import { writeFileSync } from 'node:fs';
import { parseCliArgs, parseCount, UsageError } from '@supergraph-lab/config';
import { parseBalancers } from '@supergraph-lab/stack/balancer';
import { FAULT_NAMES, parseFaults } from './faults.ts';
import { reportMarkdown, reportTable } from './report.ts';
import { runChaos, type ChaosOptions } from './run.ts';

const USAGE =
  'usage: npm run chaos -- [--rate R] [--duration S] [--faults all|' +
  `${FAULT_NAMES.join(',')}] [--balancer nginx|haproxy] [--json FILE] [--markdown FILE]`;

function readArgs(argv: readonly string[]): ChaosOptions & { json?: string; markdown?: string } {
  const values = parseCliArgs(
    argv,
    {
      rate: { type: 'string', default: '100' },
      duration: { type: 'string', default: '30' },
      quiet: { type: 'string', default: '5' },
      faults: { type: 'string', default: 'all' },
      balancer: { type: 'string', default: 'nginx' },
      'redis-down': { type: 'string', default: '10' },
      'postgres-cut': { type: 'string', default: '5' },
      streak: { type: 'string', default: '10' },
      json: { type: 'string' },
      markdown: { type: 'string' },
    },
    USAGE,
  );
  const rate = parseCount(values.rate, '--rate');
  const durationSeconds = parseCount(values.duration, '--duration');
  const quietSeconds = parseCount(values.quiet, '--quiet');
  if (rate > 1000) throw new UsageError(`--rate must be at most 1000 requests/s, got ${rate}; ${USAGE}`);
  if (durationSeconds > 300) throw new UsageError(`--duration must be at most 300 s, got ${durationSeconds}`);
  if (quietSeconds >= durationSeconds)
    throw new UsageError(`--quiet (${quietSeconds} s) must be shorter than --duration (${durationSeconds} s)`);
  let faults;
  try {
    faults = parseFaults(values.faults);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; ${USAGE}`);
  }
  return {
    faults,
    balancer: parseBalancers(values.balancer, 1)[0]!,
    rate,
    durationSeconds,
    quietSeconds,
    redisDownSeconds: parseCount(values['redis-down'], '--redis-down'),
    postgresCutSeconds: parseCount(values['postgres-cut'], '--postgres-cut'),
    streak: parseCount(values.streak, '--streak'),
    retrySeconds: 30,
    extraSeconds: 60,
    warmupSeconds: 5,
    warmupLimitSeconds: 60,
    timeoutMs: 10_000,
    ...(values.json ? { json: values.json } : {}),
    ...(values.markdown ? { markdown: values.markdown } : {}),
  };
}

try {
  const { json, markdown, ...options } = readArgs(process.argv.slice(2));
  const cancel = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping: the fault under way is finished, then the stack is stopped\n');
    cancel.abort();
  });
  const report = await runChaos({
    ...options,
    signal: cancel.signal,
    log: (line) => process.stderr.write(`chaos: ${line}\n`),
  });
  console.log(reportTable(report));
  if (json) writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  if (markdown) writeFileSync(markdown, reportMarkdown(report));
  const dirty = report.results.some((result) => result.audit.findings.some((finding) => finding.kind !== 'unread'));
  process.exit(cancel.signal.aborted ? 130 : dirty ? 1 : 0);
} catch (error) {
  console.error(`chaos: ${error instanceof UsageError ? error.message : ((error as Error).stack ?? error)}`);
  process.exit(error instanceof UsageError ? 2 : 1);
}
