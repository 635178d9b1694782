import { ByteLru } from '@supergraph-lab/lru';

/** What the in-memory store holds now, for its gauges. */
export interface MemoryUsage {
  /** Key plus serialized value lengths. */
  bytes: number;
  entries: number;
}

/** How the in-memory store is bounded. */
export interface MemoryStoreOptions {
  /** The most key plus serialized value bytes it holds (CACHE_MEMORY_BYTES). */
  maxBytes: number;
  /** Milliseconds now (Date.now when not given): tests pass their own clock. */
  now?: () => number;
}

/**
 * keyv's store without Redis or memcached: the Map-like adapter keyv accepts (get, set with a TTL
 * in ms, delete, clear, has), bounded by bytes. keyv hands it serialized strings, so an entry's
 * size is its key's length plus its value's, and a read costs a Map lookup and a re-insert, no
 * serialization. Past the bound the least recently used entries go; an expired entry goes when a
 * read meets it (keyv's plain Map kept every key that was never read again, forever).
 */
export class MemoryStore {
  private readonly entries: ByteLru<string>;

  constructor(options: MemoryStoreOptions) {
    this.entries = new ByteLru<string>(options);
  }

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  /** Keeps `value` for `ttlMs` milliseconds (no TTL when absent or 0). */
  set(key: string, value: string, ttlMs?: number): boolean {
    this.entries.set(key, value, key.length + value.length, ttlMs);
    return true;
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  clear(): void {
    this.entries.clear();
  }

  usage(): MemoryUsage {
    return { bytes: this.entries.bytes, entries: this.entries.size };
  }
}
