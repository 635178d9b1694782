import type { Item, Photo, Review } from '@supergraph-lab/db';

/**
 * Rows to PostgreSQL's binary COPY format. Binary rather than text because the server is the
 * bottleneck of a bulk load, and parsing text timestamps and integers is a third of its work
 * (measured: photos 2.9 s as text, 2.1 s as binary, the same rows from a file).
 */

// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01).
const PG_EPOCH_MS = 946_684_800_000;
const TWO_POW_32 = 4_294_967_296;

/** Appends binary COPY fields to a growable buffer and hands out full chunks. */
export class BinaryCopyWriter {
  private buffer: Buffer;
  private offset = 0;

  constructor(private readonly chunkBytes = 256 * 1024) {
    this.buffer = Buffer.allocUnsafe(chunkBytes * 2);
  }

  /** The 19-byte signature, flags and header extension that open a binary COPY stream. */
  static header(): Buffer {
    const header = Buffer.alloc(19);
    header.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
    return header; // flags (int32 0) and extension length (int32 0) are already zero
  }

  /** The int16 -1 that closes a binary COPY stream. */
  static trailer(): Buffer {
    return Buffer.from([0xff, 0xff]);
  }

  /** Starts a row of `fields` fields. */
  row(fields: number): void {
    this.reserve(2);
    this.buffer.writeInt16BE(fields, this.offset);
    this.offset += 2;
  }

  int16(value: number): void {
    this.reserve(6);
    this.buffer.writeInt32BE(2, this.offset);
    this.buffer.writeInt16BE(value, this.offset + 4);
    this.offset += 6;
  }

  int32(value: number): void {
    this.reserve(8);
    this.buffer.writeInt32BE(4, this.offset);
    this.buffer.writeInt32BE(value, this.offset + 4);
    this.offset += 8;
  }

  bool(value: boolean): void {
    this.reserve(5);
    this.buffer.writeInt32BE(1, this.offset);
    this.buffer[this.offset + 4] = value ? 1 : 0;
    this.offset += 5;
  }

  /** text, varchar or char(n): UTF-8 bytes. */
  text(value: string): void {
    this.reserve(4 + value.length * 3);
    const written = this.buffer.write(value, this.offset + 4, 'utf8');
    this.buffer.writeInt32BE(written, this.offset);
    this.offset += 4 + written;
  }

  /** timestamptz: int64 microseconds since 2000-01-01 UTC. */
  timestamp(value: Date): void {
    this.reserve(12);
    const micros = (value.getTime() - PG_EPOCH_MS) * 1000;
    const high = Math.floor(micros / TWO_POW_32);
    this.buffer.writeInt32BE(8, this.offset);
    this.buffer.writeInt32BE(high, this.offset + 4);
    this.buffer.writeUInt32BE(micros - high * TWO_POW_32, this.offset + 8);
    this.offset += 12;
  }

  /** True once a chunk's worth of bytes is waiting. */
  get full(): boolean {
    return this.offset >= this.chunkBytes;
  }

  /** Takes the bytes written so far (a copy: the buffer is reused). */
  take(): Buffer {
    const chunk = Buffer.from(this.buffer.subarray(0, this.offset));
    this.offset = 0;
    return chunk;
  }

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }
}

/** How one table's rows become binary COPY rows. */
export interface CopyTable<Row> {
  table: 'items' | 'reviews' | 'photos';
  /** In the order `encode` writes them. */
  columns: readonly string[];
  encode(row: Row, out: BinaryCopyWriter): void;
  /** The item a row belongs to, for progress through the item range. */
  itemIdOf(row: Row): number;
}

export const ITEMS: CopyTable<Item> = {
  table: 'items',
  columns: [
    'id',
    'sku',
    'name',
    'description',
    'category',
    'brand',
    'price_cents',
    'currency',
    'stock',
    'created_at',
    'updated_at',
  ],
  encode(r, out) {
    out.row(11);
    out.int32(r.id);
    out.text(r.sku);
    out.text(r.name);
    out.text(r.description);
    out.text(r.category);
    out.text(r.brand);
    out.int32(r.priceCents);
    out.text(r.currency);
    out.int32(r.stock);
    out.timestamp(r.createdAt);
    out.timestamp(r.updatedAt);
  },
  itemIdOf: (r) => r.id,
};

export const REVIEWS: CopyTable<Review> = {
  table: 'reviews',
  columns: [
    'id',
    'item_id',
    'rating',
    'title',
    'body',
    'author',
    'verified_purchase',
    'helpful_count',
    'created_at',
    'updated_at',
  ],
  encode(r, out) {
    out.row(10);
    out.int32(r.id);
    out.int32(r.itemId);
    out.int16(r.rating);
    out.text(r.title);
    out.text(r.body);
    out.text(r.author);
    out.bool(r.verifiedPurchase);
    out.int32(r.helpfulCount);
    out.timestamp(r.createdAt);
    out.timestamp(r.updatedAt);
  },
  itemIdOf: (r) => r.itemId,
};

export const PHOTOS: CopyTable<Photo> = {
  table: 'photos',
  columns: ['id', 'item_id', 'url', 'alt_text', 'width', 'height', 'position', 'created_at', 'updated_at'],
  encode(r, out) {
    out.row(9);
    out.int32(r.id);
    out.int32(r.itemId);
    out.text(r.url);
    out.text(r.altText);
    out.int32(r.width);
    out.int32(r.height);
    out.int32(r.position);
    out.timestamp(r.createdAt);
    out.timestamp(r.updatedAt);
  },
  itemIdOf: (r) => r.itemId,
};

/** Progress of one table's stream, reported per chunk. */
export interface ChunkProgress {
  rows: number;
  /** Highest item id reached so far. */
  itemId: number;
}

/**
 * Turns rows into a complete binary COPY stream (header, rows, trailer) in chunks of about
 * `chunkBytes`: the unit that flows through the stream, so backpressure works per chunk.
 */
export function* copyChunks<Row>(
  rows: Iterable<Row>,
  table: CopyTable<Row>,
  onChunk?: (progress: ChunkProgress) => void,
  chunkBytes = 256 * 1024,
): Generator<Buffer> {
  const out = new BinaryCopyWriter(chunkBytes);
  yield BinaryCopyWriter.header();
  let count = 0;
  let last: Row | undefined;
  for (const row of rows) {
    table.encode(row, out);
    count++;
    last = row;
    if (out.full) {
      yield out.take();
      onChunk?.({ rows: count, itemId: table.itemIdOf(row) });
    }
  }
  yield Buffer.concat([out.take(), BinaryCopyWriter.trailer()]);
  onChunk?.({ rows: count, itemId: last === undefined ? 0 : table.itemIdOf(last) });
}
