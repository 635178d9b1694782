#!/usr/bin/env node
// Runs `prisma generate` offline. The CLI insists on locating its schema-engine binary before
// any command, and downloads it when missing (impossible without internet). Generation never
// runs that binary, so any existing file satisfies the check.
//   node scripts/prisma-generate.mjs             generate now (npm run generate)
//   node scripts/prisma-generate.mjs --if-stale  only the clients missing or older than their schema
// Two schemas, two clients: Postgres (prisma/schema.prisma) and MariaDB (prisma/mariadb/).
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Each schema and the client generated from it. */
const SCHEMAS = [
  { schema: path.join(ROOT, 'prisma', 'schema.prisma'), client: 'prisma' },
  { schema: path.join(ROOT, 'prisma', 'mariadb', 'schema.prisma'), client: 'mariadb' },
].map(({ schema, client }) => ({
  schema,
  client: path.join(ROOT, 'packages', 'db', 'src', 'generated', client, 'client.ts'),
}));

/** Modification time in ms, or -Infinity for a missing file. */
const modified = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -Infinity;

/** The schemas whose client is missing or older than the schema. */
function staleSchemas() {
  return SCHEMAS.filter(({ schema, client }) => modified(client) < modified(schema));
}

/** True when a Prisma Client is missing or older than its schema. */
export function prismaClientIsStale() {
  return staleSchemas().length > 0;
}

/**
 * Generates Prisma Client from `schemas` (all unless told) into packages/db/src/generated. Its
 * output goes to stderr, so a command whose stdout is data (a JSON report) stays clean; throws
 * when generation fails.
 */
export function generatePrismaClient(schemas = SCHEMAS) {
  const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
  for (const { schema } of schemas) {
    const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 2, 2],
    });
    if (result.status !== 0)
      throw new Error(
        `prisma generate failed for ${path.relative(ROOT, schema)} (exit ${result.status ?? result.signal})`,
      );
  }
}

/** Generates each Prisma Client that is missing or older than its schema. */
export function ensurePrismaClient() {
  const stale = staleSchemas();
  if (!stale.length) return;
  const names = stale.map(({ schema }) => path.relative(ROOT, schema)).join(', ');
  process.stderr.write(`Prisma Client is missing or older than ${names}: generating it\n`);
  generatePrismaClient(stale);
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
