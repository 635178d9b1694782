#!/usr/bin/env node
// npm test: generates Prisma Client when it is missing or stale, type-checks, then runs every
// *.test.ts under the workspaces with Node's test runner (Node 20's runner does not expand globs
// itself), on DATABASE_URL's database (Postgres). Then the test matrix's second database: the
// suites about the API's behaviour (MARIADB_SUITES) again on MariaDB at MARIADB_URL; the slow and
// Postgres-only suites (browsers, the scaled stack, pg_stat_activity checks) run on Postgres only.
// Extra arguments are passed on, e.g. `npm test -- --test-name-pattern=loader`.
import { spawnSync } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ensurePrismaClient } from './prisma-generate.mjs';

const roots = ['packages', 'gateway', 'subgraphs', 'ssr', 'loadtest', 'tools', 'scripts'];
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
const run = (testFiles, env = process.env) =>
  spawnSync(
    process.execPath,
    ['--import', './scripts/preload.mjs', '--test', '--test-concurrency=1', ...process.argv.slice(2), ...testFiles],
    { stdio: 'inherit', env },
  ).status ?? 1;

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
  'loadtest/test/stack.test.ts',
  'scripts/test/cache-namespace.test.ts',
];

const postgres = run(files);
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
  console.error(`run-tests: no MariaDB at ${mariadbUrl.host}: the MariaDB half of the matrix did not run`);
  process.exit(postgres);
}
mariadbUrl.pathname = '/test';
console.error(`run-tests: the API's behaviour suites again on MariaDB (${mariadbUrl})`);
const mariadb = run(MARIADB_SUITES, { ...process.env, DATABASE_URL: mariadbUrl.toString() });
process.exit(postgres || mariadb);
