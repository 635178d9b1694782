// npm run browserbench -- --samples 20 --background-rps 0,50,200 [--warm] [--json FILE] [--html FILE]
import { parseArgs } from 'node:util';
import { UsageError } from '@supergraph-lab/config';
import { MAX_ID } from '@supergraph-lab/http/ids';
import {
  BROWSER_VARIANTS,
  browserTable,
  discoverMaxItemId,
  endpointsFromEnv,
  itemIds,
  machineInfo,
  NETWORK_PROFILES,
  positive,
  renderBrowserReport,
  runBrowserBench,
  stopOnCtrlC,
  VARIANT_NAMES,
  writeReportFiles,
  type BrowserBenchReport,
  type BrowserVariant,
  type NetworkProfile,
} from '@supergraph-lab/loadtest';

const HELP = `npm run browserbench -- [options]   the item page loaded in headless Chromium, four ways

  --variants LIST        comma-separated: ${VARIANT_NAMES.join(', ')} (default: all)
  --samples N            page loads per variant and background rate, default 20
  --warm                 one browser context per variant (a returning visitor's cache);
                         default: a fresh context, cold cache, for every load
  --background-rps LIST  uncached GraphQL page queries/s offered in the background while
                         sampling, one run per rate, e.g. 0,50,200 (default 0)
  --id N                 load item N every time (a page the caches hold); default: the
                         load tester's id mix (80% from the newest 10%)
  --max-id N             newest item id (default: asked from the gateway)
  --throttle Nx          slow Chromium's CPU N times (e.g. 4x)
  --network PROFILE      emulate ${Object.keys(NETWORK_PROFILES).join(', ')}
  --ssr URL --gateway URL  where the services answer (default: 127.0.0.1 on the contract's ports)
  --json FILE            write every sample and summary as JSON
  --html FILE            write the self-contained HTML report

Variants:
${VARIANT_NAMES.map((name) => `  ${name.padEnd(10)} ${BROWSER_VARIANTS[name].label}: GET ${BROWSER_VARIANTS[name].path(42)}`).join('\n')}
`;

function parseVariants(text: string): BrowserVariant[] {
  const names = text.split(',').map((part) => part.trim());
  const unknown = names.filter((name) => !(VARIANT_NAMES as string[]).includes(name));
  if (unknown.length || !names.length)
    throw new UsageError(
      `--variants: unknown ${unknown.map((name) => `"${name}"`).join(', ')}; choose from ${VARIANT_NAMES.join(', ')}`,
    );
  return [...new Set(names)] as BrowserVariant[];
}

function parseBackground(text: string): number[] {
  const rates = text.split(',').map((part) => Number(part.trim()));
  if (rates.some((rate) => !(rate >= 0) || rate > 10_000))
    throw new UsageError(`--background-rps: each rate must be a number of requests/s from 0 to 10000, got "${text}"`);
  return rates;
}

function parseThrottle(text: string): number {
  const match = /^(\d+(?:\.\d+)?)x?$/.exec(text.trim());
  const rate = match ? Number(match[1]) : Number.NaN;
  if (!(rate >= 1) || rate > 20)
    throw new UsageError(`--throttle must be a factor from 1x to 20x, e.g. 4x, got "${text}"`);
  return rate;
}

function parseNetwork(text: string): NetworkProfile {
  if (!(text in NETWORK_PROFILES))
    throw new UsageError(
      `--network: unknown profile "${text}"; choose from ${Object.keys(NETWORK_PROFILES).join(', ')}`,
    );
  return text as NetworkProfile;
}

/** A positive whole number, or a UsageError naming the option. */
function wholeNumber(name: string, text: string, max: number): number {
  let value: number;
  try {
    value = positive(name, text, max);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!Number.isInteger(value)) throw new UsageError(`--${name} must be a whole number, got "${text}"`);
  return value;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        variants: { type: 'string', default: VARIANT_NAMES.join(',') },
        samples: { type: 'string', default: '20' },
        warm: { type: 'boolean', default: false },
        'background-rps': { type: 'string', default: '0' },
        id: { type: 'string' },
        'max-id': { type: 'string' },
        throttle: { type: 'string', default: '1x' },
        network: { type: 'string' },
        ssr: { type: 'string' },
        gateway: { type: 'string' },
        json: { type: 'string' },
        html: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const defaults = endpointsFromEnv();
  const endpoints = { ssr: values.ssr ?? defaults.ssr, gateway: values.gateway ?? defaults.gateway };
  const settings = {
    variants: parseVariants(values.variants),
    samples: wholeNumber('samples', values.samples, 1000),
    warm: values.warm,
    backgroundRates: parseBackground(values['background-rps']),
    itemId: values.id ? wholeNumber('id', values.id, MAX_ID) : null,
    throttle: parseThrottle(values.throttle),
    network: values.network ? parseNetwork(values.network) : null,
  };
  const maxItemId = values['max-id']
    ? wholeNumber('max-id', values['max-id'], MAX_ID)
    : await discoverMaxItemId(endpoints.gateway);
  const mix = itemIds(maxItemId);

  const interrupt = stopOnCtrlC('the report keeps what was measured');
  const startedAt = new Date().toISOString();
  let last = '';
  const { results, background } = await runBrowserBench({
    ...settings,
    endpoints,
    maxItemId,
    nextId: () => settings.itemId ?? mix(),
    signal: interrupt.signal,
    onProgress: ({ backgroundRate, variant, sample, samples }) => {
      const line = `background ${backgroundRate}/s: sample ${sample + 1}/${samples}`;
      if (line !== last && process.stderr.isTTY) process.stderr.write(`\r${line} (${variant})   `);
      last = line;
    },
  });
  interrupt.release();
  if (process.stderr.isTTY) process.stderr.write('\n');

  const report: BrowserBenchReport = {
    title: 'supergraph-lab browser bench: the item page, SSR and SPA',
    startedAt,
    finishedAt: new Date().toISOString(),
    settings: { ...settings, maxItemId },
    machine: machineInfo(),
    results,
    background,
  };
  process.stdout.write(`${browserTable(report)}\n`);
  await writeReportFiles(
    { json: values.json, html: values.html },
    report,
    () => renderBrowserReport(report),
    (line) => process.stderr.write(`${line}\n`),
  );
  return interrupt.exitCode();
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`browserbench: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`browserbench: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
