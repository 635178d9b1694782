// The two Prisma schemas (prisma/schema.prisma for Postgres, prisma/mariadb/schema.prisma for
// MariaDB) are kept by hand: they must define the same models, fields, keys, indexes and table
// and column names. Only the column types a database spells its own way (`@db.*`), the
// generator's output folder and the datasource's provider may differ.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** A schema's models and enums: each block's lines, comments, documentation and `@db.*` types left out. */
export function schemaShape(text: string): Record<string, string[]> {
  const shape: Record<string, string[]> = {};
  let block: string[] | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    const opening = /^(model|enum)\s+(\w+)\s*\{$/.exec(line);
    if (opening) {
      block = shape[`${opening[1]} ${opening[2]}`] = [];
      continue;
    }
    if (line === '}') block = null;
    if (!block || line === '') continue;
    block.push(
      line
        .replace(/@db\.\w+(\([^)]*\))?/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }
  return shape;
}

const read = (file: string) => schemaShape(readFileSync(path.join(ROOT, file), 'utf8'));

test('the shape leaves out what may differ and keeps what may not', () => {
  const one = schemaShape(
    'model A {\n  id Int @id // the key\n  /// docs\n  name String @db.VarChar(20)\n  @@map("a")\n}\n',
  );
  assert.deepEqual(one, { 'model A': ['id Int @id', 'name String', '@@map("a")'] });
  const other = schemaShape('model A {\n  id Int @id\n  name String @unique\n  @@map("a")\n}\n');
  assert.notDeepEqual(one, other, 'an index on one side only is a difference');
});

test('the Postgres and MariaDB schemas define the same models, fields and indexes', () => {
  const postgres = read('prisma/schema.prisma');
  const mariadb = read('prisma/mariadb/schema.prisma');
  assert.ok(Object.keys(postgres).length >= 3, 'the shop has its models');
  assert.deepEqual(Object.keys(mariadb).sort(), Object.keys(postgres).sort(), 'the same models');
  for (const name of Object.keys(postgres)) assert.deepEqual(mariadb[name], postgres[name], `${name}: the same lines`);
});
