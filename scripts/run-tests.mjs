#!/usr/bin/env node
// npm test: generates Prisma Client when it is missing or stale, type-checks, then runs every
// *.test.ts under the workspaces with Node's test runner (Node 20's runner does not expand globs
// itself). Extra arguments are passed on, e.g. `npm test -- --test-name-pattern=loader`.
import { spawnSync } from 'node:child_process';
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
const result = spawnSync(
  process.execPath,
  ['--import', './scripts/preload.mjs', '--test', '--test-concurrency=1', ...process.argv.slice(2), ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
