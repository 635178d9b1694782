// A map bounded by bytes, not entries: what a client's requests fill (query texts, cached
// answers) varies in size by orders of magnitude, so a count bound says nothing about memory.

interface Slot<V> {
  value: V;
  size: number;
  /** Milliseconds on the injected clock after which the entry is gone; Infinity: never. */
  expiresAt: number;
}

/** How a {@link ByteLru} is bounded and what it measures time with. */
export interface ByteLruOptions {
  /** The most bytes it holds: past them the least recently used entries are dropped. */
  maxBytes: number;
  /** Milliseconds now (Date.now when not given): tests pass their own clock. */
  now?: () => number;
}

/**
 * A map of sized entries, most recently used last (a Map keeps insertion order: a read moves its
 * entry to the end), holding at most `maxBytes`. An entry larger than the bound is not kept. An
 * entry past its expiry is dropped when a read or an eviction meets it.
 */
export class ByteLru<V> {
  readonly maxBytes: number;
  private readonly slots = new Map<string, Slot<V>>();
  private readonly now: () => number;
  private held = 0;

  constructor(options: ByteLruOptions) {
    if (!(options.maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${options.maxBytes}`);
    this.maxBytes = options.maxBytes;
    this.now = options.now ?? Date.now;
  }

  /** The bytes held now (the sizes the entries were set with). */
  get bytes(): number {
    return this.held;
  }

  /** The entries held now, expired ones not yet met included. */
  get size(): number {
    return this.slots.size;
  }

  /** The value for `key`, now the most recently used; undefined when absent or expired (then dropped). */
  get(key: string): V | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    this.slots.delete(key);
    // no clock read for an entry without expiry: the lean path's documents are read on every request
    if (slot.expiresAt !== Infinity && slot.expiresAt <= this.now()) {
      this.held -= slot.size;
      return undefined;
    }
    this.slots.set(key, slot);
    return slot.value;
  }

  /** Whether `key` is held and not expired (its recency unchanged). */
  has(key: string): boolean {
    const slot = this.slots.get(key);
    return slot !== undefined && slot.expiresAt > this.now();
  }

  /**
   * Keeps `value` as `size` bytes, for `ttlMs` milliseconds (forever when not given), dropping the
   * least recently used entries until it fits. False when it is larger than the whole bound (not kept).
   */
  set(key: string, value: V, size: number, ttlMs?: number): boolean {
    this.delete(key);
    if (size > this.maxBytes) return false;
    const expiresAt = ttlMs !== undefined && ttlMs > 0 ? this.now() + ttlMs : Infinity;
    this.slots.set(key, { value, size, expiresAt });
    this.held += size;
    if (this.held > this.maxBytes) this.evict();
    return true;
  }

  /** Drops `key`; whether it was held. */
  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (!slot) return false;
    this.slots.delete(key);
    this.held -= slot.size;
    return true;
  }

  clear(): void {
    this.slots.clear();
    this.held = 0;
  }

  /** The keys held, least recently used first. */
  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  /** Drops the least recently used entries until the bound holds. */
  private evict(): void {
    for (const [key, slot] of this.slots) {
      if (this.held <= this.maxBytes) return;
      this.slots.delete(key);
      this.held -= slot.size;
    }
  }
}
