import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { from as copyFrom } from 'pg-copy-streams';
import { connect, createPrismaClient, type Item } from '@supergraph-lab/db';
import { createTestDatabase, type TestDatabase } from '@supergraph-lab/db/testing';
import { copyChunks, ITEMS } from '../src/copy.ts';

/** Values the generator never makes but the encoder must carry exactly. */
const hostile: Item[] = [
  {
    id: 1,
    sku: 'SKU\t1',
    name: 'Tab\there, newline\nthere, CR\r, backslash \\ and \\N',
    description: 'Ünïcödé ✓ 日本語 🚀 "quotes" \'single\' <script>alert(1)</script>',
    category: '',
    brand: 'x'.repeat(70_000), // longer than a chunk: the buffer must grow
    priceCents: 2_147_483_647,
    currency: 'EUR',
    stock: 0,
    createdAt: new Date('1999-12-31T23:59:59.999Z'), // before PostgreSQL's epoch: negative micros
    updatedAt: new Date('2100-02-28T12:34:56.789Z'), // beyond 32-bit seconds
  },
  {
    id: 2_147_483_647,
    sku: 'MAX',
    name: 'n',
    description: '',
    category: 'c',
    brand: 'b',
    priceCents: 0,
    currency: 'GBP',
    stock: 2_147_483_647,
    createdAt: new Date('2000-01-01T00:00:00.000Z'),
    updatedAt: new Date('1970-01-01T00:00:00.001Z'),
  },
];

describe('binary COPY encoding', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('copy');
  });
  after(async () => {
    await db.drop();
  });

  test('round-trips hostile text, extreme integers and timestamps exactly', async () => {
    const client = await connect(db.url);
    try {
      const columns = ITEMS.columns.map((column) => `"${column}"`).join(', ');
      await pipeline(
        Readable.from(copyChunks(hostile, ITEMS, undefined, 1024)),
        client.query(copyFrom(`COPY items (${columns}) FROM STDIN WITH (FORMAT binary)`)),
      );
    } finally {
      await client.end();
    }
    const prisma = createPrismaClient(db.url);
    try {
      assert.deepEqual(await prisma.item.findMany({ orderBy: { id: 'asc' } }), hostile);
    } finally {
      await prisma.$disconnect();
    }
  });

  test('an empty table is still a complete stream: header and trailer', () => {
    const chunks = [...copyChunks([], ITEMS)];
    const bytes = Buffer.concat(chunks);
    assert.equal(bytes.subarray(0, 11).toString('latin1'), 'PGCOPY\n\xff\r\n\0');
    assert.deepEqual([...bytes.subarray(-2)], [0xff, 0xff]);
    assert.equal(bytes.length, 19 + 2);
  });
});
