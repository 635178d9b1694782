#!/usr/bin/env node
// Runs `prisma generate` offline. The CLI insists on locating its schema-engine binary before
// any command, and downloads it when missing (impossible without internet). Generation never
// runs that binary, so any existing file satisfies the check.
//   node scripts/prisma-generate.mjs             generate now (npm run generate)
//   node scripts/prisma-generate.mjs --if-stale  only when the client is missing or older than the schema
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA = path.join(ROOT, 'prisma', 'schema.prisma');
const CLIENT = path.join(ROOT, 'packages', 'db', 'src', 'generated', 'prisma', 'client.ts');

/** Modification time in ms, or -Infinity for a missing file. */
const modified = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -Infinity;

/** True when Prisma Client is missing or older than `prisma/schema.prisma`. */
export function prismaClientIsStale() {
  return modified(CLIENT) < modified(SCHEMA);
}

/**
 * Generates Prisma Client into packages/db/src/generated. Its output goes to stderr, so a
 * command whose stdout is data (a JSON report) stays clean; throws when generation fails.
 */
export function generatePrismaClient() {
  const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
  const result = spawnSync(process.execPath, [cli, 'generate'], { cwd: ROOT, env, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) throw new Error(`prisma generate failed (exit ${result.status ?? result.signal})`);
}

/** Generates Prisma Client only when it is missing or older than the schema. */
export function ensurePrismaClient() {
  if (!prismaClientIsStale()) return;
  process.stderr.write('Prisma Client is missing or older than prisma/schema.prisma: generating it\n');
  generatePrismaClient();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--if-stale')) ensurePrismaClient();
    else generatePrismaClient();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
