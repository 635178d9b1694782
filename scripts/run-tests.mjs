#!/usr/bin/env node
// npm test: generates Prisma Client when it is missing or stale, type-checks, then runs every
// *.test.ts under the workspaces with Node's test runner (Node 20's runner does not expand globs
// itself), on DATABASE_URL's database (Postgres). Then the test matrix's second database: the
// suites about the API's behaviour (MARIADB_SUITES) again on MariaDB at MARIADB_URL; the slow and
// Postgres-only suites (browsers, the scaled stack, pg_stat_activity checks) run on Postgres only.
// Extra arguments are passed on, e.g. `npm test -- --test-name-pattern=loader`. Each test's line
// and every failure's full error go to stdout (the spec reporter); the output ends with a table
// per half, each test file's passed, failed and skipped tests and time (scripts/test-summary.mjs),
// then `# pass N`, `# fail N` and `N passed, N failed` over both halves.
import { spawnSync } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensurePrismaClient } from './prisma-generate.mjs';

const roots = ['packages', 'gateway', 'monolith', 'subgraphs', 'ssr', 'lab', 'loadtest', 'tools', 'scripts'];
const files = roots
  .flatMap((root) => {
    try {
      return readdirSync(root, { recursive: true, encoding: 'utf8' }).map((file) => path.join(root, file));
    } catch {
      return [];
    }
  })
  .filter((file) => file.endsWith('.test.ts') && !file.split(path.sep).includes('node_modules'))
  .sort();
try {
  ensurePrismaClient();
} catch (error) {
  console.error(`run-tests: ${error.message}`);
  process.exit(1);
}
const typecheck = spawnSync('npm', ['run', '--silent', 'typecheck'], { stdio: 'inherit' });
if (typecheck.status !== 0) {
  console.error('run-tests: the type-check failed (npm run typecheck)');
  process.exit(typecheck.status ?? 1);
}
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
const scratch = mkdtempSync(path.join(tmpdir(), 'sgl-tests-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs `testFiles`, each test's line and every failure's full error on stdout (the spec
 * reporter); returns the exit status and the per-file counts of scripts/test-summary.mjs.
 */
const run = (name, testFiles, env = process.env) => {
  const summaryFile = path.join(scratch, `${name}.json`);
  const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout'];
  reporters.push('--test-reporter=./scripts/test-summary.mjs', `--test-reporter-destination=${summaryFile}`);
  const { status } = spawnSync(
    process.execPath,
    [
      '--import',
      './scripts/preload.mjs',
      '--test',
      '--test-concurrency=1',
      ...reporters,
      ...process.argv.slice(2),
    ].concat(testFiles),
    { stdio: 'inherit', env },
  );
  let summary = { files: {} };
  try {
    summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  } catch {
    // the runner died before its reporters finished: the status says so
  }
  if (status !== 0 && !Object.values(summary.files).some((one) => one.failed)) {
    // a failure no test was charged with (the runner itself): the table must not say all passed
    const failures = [`exited with status ${status}`];
    summary.files['(the test runner)'] = { passed: 0, failed: 1, skipped: 0, ms: 0, failures };
  }
  return { name, status: status ?? 1, ...summary };
};

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** A half's files and their total. */
function totalOf(files) {
  const total = { passed: 0, failed: 0, skipped: 0, ms: 0 };
  for (const one of Object.values(files)) for (const key of Object.keys(total)) total[key] += one[key];
  return total;
}

/** One half's table: a line a test file (its failed tests named under it), then its total. */
function printHalf({ name, files }) {
  const rows = Object.entries(files);
  const width = Math.max(40, ...rows.map(([file]) => file.length + 2));
  const row = (label, cells) => `${label.padEnd(width)}${cells.map((cell) => String(cell).padStart(9)).join('')}`;
  const counts = (label, { passed, failed, skipped, ms }) => row(label, [passed, failed, skipped, seconds(ms)]);
  console.log(`\n${row(`${name}: per test file`, ['passed', 'failed', 'skipped', 'time'])}`);
  for (const [file, one] of rows) {
    console.log(counts(`${one.failed ? '✖' : ' '} ${file}`, one));
    for (const failure of one.failures) console.log(`    ✖ ${failure}`);
  }
  console.log(counts(`  total (${rows.length} file${rows.length === 1 ? '' : 's'})`, totalOf(files)));
}

/**
 * The end of the output: each half's table, then the totals over both in the runner's TAP form
 * and as one line, as CI reads them. A hook that failed counts as a failed test here (Node 20's
 * own `# fail` leaves it out).
 */
function printSummary(halves) {
  for (const half of halves) printHalf(half);
  const { passed, failed, skipped } = totalOf(halves.map((half) => totalOf(half.files)));
  console.log(`\n# tests ${passed + failed + skipped}\n# pass ${passed}\n# fail ${failed}\n# skipped ${skipped}`);
  console.log(`${passed} passed, ${failed} failed`);
}

/** The suites about what the API does, run on both databases. */
const MARIADB_SUITES = [
  'packages/db/test/queries.test.ts',
  'packages/subgraph/test/lean-queries.test.ts',
  ...files.filter((file) => file.startsWith(`subgraphs${path.sep}`)),
  ...[
    'batching',
    'cache',
    'database-cut',
    'fuzz',
    'graphql',
    'idempotency',
    'input',
    'lean-queries',
    'limits',
    'resilience',
    'rest',
    'server-timing',
  ].map((name) => `gateway/test/${name}.test.ts`),
  'ssr/test/page.test.ts',
  'ssr/test/listing.test.ts',
  'loadtest/test/stack.test.ts',
  'loadtest/test/mechanism.test.ts',
  'scripts/test/cache-namespace.test.ts',
];

const postgres = run('Postgres', files);
const mariadbUrl = new URL(process.env.MARIADB_URL || 'mysql://root@127.0.0.1:3306');
const reachable = await new Promise((resolve) => {
  const socket = tcpConnect(Number(mariadbUrl.port || 3306), mariadbUrl.hostname);
  socket.setTimeout(2000, () => socket.destroy());
  socket
    .on('connect', () => resolve(true))
    .on('error', () => resolve(false))
    .on('close', () => resolve(false));
  socket.on('connect', () => socket.end());
});
if (!reachable) {
  printSummary([postgres]);
  console.error(`run-tests: no MariaDB at ${mariadbUrl.host}: the MariaDB half of the matrix did not run`);
  process.exit(postgres.status);
}
mariadbUrl.pathname = '/test';
console.error(`run-tests: the API's behaviour suites again on MariaDB (${mariadbUrl})`);
const mariadb = run('MariaDB', MARIADB_SUITES, { ...process.env, DATABASE_URL: mariadbUrl.toString() });
printSummary([postgres, mariadb]);
process.exit(postgres.status || mariadb.status);
