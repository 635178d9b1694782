// npm run loadtest -- --target graphql,rest --rps 1,10,100,1000 --duration 10 [--json FILE] [--html FILE]
import { parseCliArgs, SERVICE_NAMES, stringOptions, type ServiceName } from '@supergraph-lab/config';
import { consoleReporter } from '../console.ts';
import { nonNegative, parseRates, parseTargets, positive } from '../options.ts';
import { renderHtmlReport } from '../report/html.ts';
import { thresholdLines } from '../report/terminal.ts';
import { writeReportFiles } from '../report/page.ts';
import { stopOnCtrlC } from './interrupt.ts';
import { discoverMaxItemId, machineInfo, runLoadTest, type LoadTestReport } from '../run.ts';
import { endpointsFromEnv, TARGETS, type Endpoints } from '../targets.ts';
import { evaluateThresholds, parseThresholds } from '../thresholds.ts';

const HELP = `npm run loadtest -- [options]   load the running stack (npm start) at fixed arrival rates

  --target LIST      comma-separated: ${TARGETS.map((target) => target.name).join(', ')},
                     "reads" (every read target) or "all"; default graphql
  --rps LIST         rate steps in requests/s, default 1,10,100,1000
  --duration S       measured seconds per step, default 10
  --warmup S         warm-up seconds at the step's rate before each step, default 2
  --timeout MS       a request unanswered this long is an error, default 2000
  --connections N    sockets per origin, default 256
  --settle           after a saturated step, wait until pages answer fast again (a guard for
                     a stack that keeps working for abandoned requests; this one stops)
  --max-id N         newest item id (default: asked from the gateway)
  ${SERVICE_NAMES.map((name) => `--${name} URL`).join(' ')}
                     where the services answer (default: 127.0.0.1 on the contract's ports / *_PORT env)
  --variant TEXT     a label for this run's setup, e.g. "cache all"
  --threshold EXPR   a pass/fail criterion each step must meet; repeat it, or separate with
                     commas: p50, p90, p99, max (ms); errors (% of requests); rate (achieved
                     requests/s, or % of offered: rate>=95%); statements, fetches, cpu (ms)
                     per request; with <, <=, >, >=. E.g. --threshold 'p99<100' --threshold 'errors<1%'
  --json FILE        write the results as JSON
  --html FILE        write the self-contained HTML report

Exit status: 0 when every step met every threshold, 1 when one did not, 2 for bad options
or a stack that cannot be reached, 130 when stopped with Ctrl-C.

Targets:
${TARGETS.map((target) => `  ${target.name.padEnd(17)} ${target.description}${target.write ? ' (writes!)' : ''}`).join('\n')}
`;

async function main(): Promise<number> {
  const values = parseCliArgs(
    process.argv.slice(2),
    {
      ...stringOptions({
        target: 'graphql',
        rps: '1,10,100,1000',
        duration: '10',
        warmup: '2',
        timeout: '2000',
        connections: '256',
        'max-id': undefined,
        variant: undefined,
        json: undefined,
        html: undefined,
      }),
      // --gateway, --items, ...: where each service of the registry answers
      ...stringOptions(
        Object.fromEntries(SERVICE_NAMES.map((name) => [name, undefined])) as Record<ServiceName, undefined>,
      ),
      threshold: { type: 'string', multiple: true, default: [] },
      settle: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    'npm run loadtest -- --help lists the options',
  );
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const defaults = endpointsFromEnv();
  const endpoints = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, (values[name] as string | undefined) ?? defaults[name]]),
  ) as Endpoints;
  const settings = {
    targets: parseTargets(values.target),
    rates: parseRates(values.rps),
    durationSeconds: positive('duration', values.duration, 3600),
    warmupSeconds: nonNegative('warmup', values.warmup, 600),
    timeoutMs: positive('timeout', values.timeout, 120_000),
    connections: Math.round(positive('connections', values.connections, 65_536)),
  };
  const thresholds = parseThresholds(values.threshold);
  const maxItemId = values['max-id']
    ? Math.round(positive('max-id', values['max-id'], Number.MAX_SAFE_INTEGER))
    : await discoverMaxItemId(endpoints.gateway);
  const writes = settings.targets.filter((name) => TARGETS.find((target) => target.name === name)?.write);
  if (writes.length)
    process.stderr.write(`note: ${writes.join(', ')} create reviews in the database behind ${endpoints.reviews}\n`);

  const interrupt = stopOnCtrlC('the report keeps the steps measured so far');
  const startedAt = new Date().toISOString();
  const steps = await runLoadTest({
    ...settings,
    endpoints,
    maxItemId,
    variant: values.variant ?? null,
    settle: values.settle,
    signal: interrupt.signal,
    onEvent: consoleReporter(),
  });
  interrupt.release();
  if (thresholds.length) {
    for (const step of steps) step.thresholds = evaluateThresholds(step, thresholds);
    process.stdout.write(`\n${thresholdLines(steps).join('\n')}\n`);
  }

  const report: LoadTestReport = {
    title: `supergraph-lab load test: ${settings.targets.join(', ')}`,
    startedAt,
    finishedAt: new Date().toISOString(),
    settings: {
      ...settings,
      variants: values.variant ? [values.variant] : [],
      ...(thresholds.length ? { thresholds: thresholds.map((threshold) => threshold.text) } : {}),
    },
    machine: machineInfo(),
    dataSet: { maxItemId },
    steps,
  };
  await writeReportFiles(
    { json: values.json, html: values.html },
    report,
    () => renderHtmlReport(report),
    (line) => process.stdout.write(`${line}\n`),
  );
  const missed = steps.some((step) => step.thresholds?.some((result) => !result.passed));
  return interrupt.exitCode() || (missed ? 1 : 0);
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`loadtest: ${error.message}\n`);
    process.exit(2);
  },
);
