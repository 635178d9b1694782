#!/usr/bin/env node
// Runs every *.test.ts under the workspaces with Node's test runner (Node 20's runner does not
// expand globs itself). Extra arguments are passed on, e.g. `npm test -- --test-name-pattern=loader`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const roots = ['packages', 'gateway', 'subgraphs', 'ssr', 'loadtest', 'scripts'];
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
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...process.argv.slice(2), ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
