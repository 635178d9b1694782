// What the benchmarks share: a scratch database, the services as separate processes, and
// sequential and concurrent (closed-loop) measurement of a page load.
import { Agent, request } from 'undici';
import { argsOrExit, parseCliArgs, UsageError } from '@supergraph-lab/config';
import { biasedItemId } from '@supergraph-lab/db';

export { scratchDatabase, startServices, type RunningStack } from '@supergraph-lab/stack/processes';
export { freePort } from '@supergraph-lab/testing';
import { median, percentile, runClosedLoop } from '@supergraph-lab/loadtest';

export { median, percentile };

export type PageLoad = (id: number) => Promise<unknown>;

/** POSTs GraphQL over `agent`; throws on a non-200 status or GraphQL errors. */
export async function postGraphQL(
  agent: Agent,
  url: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<void> {
  const response = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.body.json()) as { errors?: unknown[] };
  if (response.statusCode !== 200 || body.errors)
    throw new Error(`HTTP ${response.statusCode}: ${JSON.stringify(body.errors)}`);
}

/** p50 and p99 of `count` page loads one after another, after a warm-up of `warmup`. */
export async function sequential(
  load: PageLoad,
  maxId: number,
  count: number,
  warmup = 200,
): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < warmup; i++) await load(biasedItemId(maxId));
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await load(biasedItemId(maxId));
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Page loads from `connections` callers at once for `seconds` (the load tester's closed loop): throughput and p99. */
export async function concurrent(
  load: PageLoad,
  maxId: number,
  connections: number,
  seconds: number,
): Promise<{ rps: number; p99: number; errors: number }> {
  const measured = await runClosedLoop({
    connections,
    durationSeconds: seconds,
    send: () => load(biasedItemId(maxId)),
  });
  return { rps: measured.okPerSecond, p99: measured.latency.p99, errors: measured.errors };
}

/** Per target, the medians over the rounds: sequential p50 and p99, and the closed loop's pages/s and p99. */
export interface RoundMedians {
  p50: number;
  p99: number;
  rps: number;
  cp99: number;
}

/**
 * Each target measured in turn, `rounds` times over, so a busy moment on the machine falls on all
 * of them alike: `sequential` pages one after another, then `connections` callers for `seconds`.
 * A line per target per round; the medians per target.
 */
export async function alternatingRounds(
  targets: readonly (readonly [string, PageLoad])[],
  options: { items: number; sequential: number; connections: number; seconds: number; rounds: number },
): Promise<Map<string, RoundMedians>> {
  const samples = new Map(
    targets.map(([name]) => [name, { p50: [], p99: [], rps: [], cp99: [] } as Record<keyof RoundMedians, number[]>]),
  );
  const width = Math.max(...targets.map(([name]) => name.length));
  for (let round = 1; round <= options.rounds; round++) {
    for (const [name, load] of targets) {
      const seq = await sequential(load, options.items, options.sequential);
      const conc = await concurrent(load, options.items, options.connections, options.seconds);
      const taken = samples.get(name)!;
      taken.p50.push(seq.p50);
      taken.p99.push(seq.p99);
      taken.rps.push(conc.rps);
      taken.cp99.push(conc.p99);
      console.log(
        `round ${round} ${name.padEnd(width)} sequential p50 ${seq.p50.toFixed(2)} ms p99 ${seq.p99.toFixed(2)} ms; ` +
          `${options.connections} connections ${conc.rps.toFixed(0)} pages/s p99 ${conc.p99.toFixed(1)} ms${conc.errors ? `; ${conc.errors} errors` : ''}`,
      );
    }
  }
  return new Map(
    [...samples].map(([name, taken]) => [
      name,
      { p50: median(taken.p50), p99: median(taken.p99), rps: median(taken.rps), cp99: median(taken.cp99) },
    ]),
  );
}

/** The medians as a table, each row's sequential p50 and pages/s as a ratio to the first row's. */
export function printMedians(medians: Map<string, RoundMedians>): void {
  const rows = [...medians];
  const [first, base] = rows[0]!;
  const width = Math.max(16, ...rows.map(([name]) => name.length));
  console.log(
    `\n${'medians'.padEnd(width)} seq p50 ms  seq p99 ms  pages/s   p99 ms  p50 vs ${first}  pages/s vs ${first}`,
  );
  for (const [name, row] of rows) {
    console.log(
      `${name.padEnd(width)} ${row.p50.toFixed(2).padStart(10)} ${row.p99.toFixed(2).padStart(11)} ` +
        `${row.rps.toFixed(0).padStart(8)} ${row.cp99.toFixed(1).padStart(8)} ` +
        `${(row.p50 / base.p50).toFixed(2).padStart(9 + first.length)}x ${(row.rps / base.rps).toFixed(2).padStart(13 + first.length)}x`,
    );
  }
}

/**
 * The options every page benchmark takes, with their defaults. A wrong or unknown option ends
 * the process with exit code 2 and a line naming it and the usage (`command` names the script).
 */
export function benchOptions(
  command: string,
  defaults: { rounds: number },
  extra: Record<string, string> = {},
  words: Record<string, string> = {},
) {
  const all = {
    seconds: '10',
    connections: '50',
    sequential: '1500',
    rounds: String(defaults.rounds),
    items: '20000',
    ...extra,
    ...words,
  };
  const usage = `usage: npm run ${command} -- ${Object.keys(all)
    .map((name) => `[--${name} ${name in words ? 'NAME' : 'N'}]`)
    .join(' ')}`;
  return argsOrExit(command, () => parsedBenchOptions(all, words, usage));
}

function parsedBenchOptions(all: Record<string, string>, words: Record<string, string>, usage: string) {
  const values = parseCliArgs(
    process.argv.slice(2),
    Object.fromEntries(Object.entries(all).map(([name, value]) => [name, { type: 'string' as const, default: value }])),
    usage,
  );
  const text = values as Record<string, string>;
  const numbers = Object.fromEntries(
    Object.entries(text)
      .filter(([name]) => !(name in words))
      .map(([name, value]) => [name, Number(value)]),
  );
  for (const [name, value] of Object.entries(numbers)) {
    if (!Number.isFinite(value) || value <= 0)
      throw new UsageError(
        `--${name} must be a positive number, got ${JSON.stringify((values as Record<string, unknown>)[name])}; ${usage}`,
      );
  }
  return Object.assign(
    numbers as {
      items: number;
      seconds: number;
      connections: number;
      sequential: number;
      rounds: number;
    } & Record<string, number>,
    /** The options given in `words`, as written (each command checks its own). */
    { words: Object.fromEntries(Object.keys(words).map((name) => [name, text[name]!])) },
  );
}
