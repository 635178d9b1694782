/**
 * A small, fast, seedable PRNG (sfc32) that can be re-seeded per record, so that every item's
 * rows are a pure function of (seed, item id, stream): the three tables can be generated
 * independently and any slice can be regenerated without generating what came before.
 * A class because the four words of state are the point.
 */
export class Random {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(k0: number, k1 = 0, k2 = 0) {
    this.reseed(k0, k1, k2);
  }

  /** Resets the state from up to three integer keys. */
  reseed(k0: number, k1 = 0, k2 = 0): void {
    this.a = mix32(k0 ^ 0x9e3779b9);
    this.b = mix32(Math.imul(k1, 0x85ebca6b) ^ (k0 >>> 7) ^ 0x27d4eb2f);
    this.c = mix32(Math.imul(k2 + 1, 0xc2b2ae35) ^ this.a ^ (k1 >>> 13));
    this.d = 1;
    // a few rounds spread the mixed keys through the state
    for (let i = 0; i < 6; i++) this.next32();
  }

  /** Uniform 32-bit unsigned integer. */
  next32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.next32() / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Standard normal deviate (Box-Muller). */
  gaussian(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/** murmur3's 32-bit finaliser: a cheap, well-spread hash of an integer. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Picks indexes in proportion to fixed weights in O(log n) per draw (cumulative table + binary
 * search), for the skewed choices (categories, ratings).
 */
export class WeightedIndex {
  private readonly cumulative: Float64Array;

  constructor(weights: readonly number[]) {
    this.cumulative = new Float64Array(weights.length);
    let total = 0;
    weights.forEach((weight, index) => {
      if (!(weight >= 0)) throw new RangeError(`weights must be >= 0, got ${weight} at ${index}`);
      total += weight;
      this.cumulative[index] = total;
    });
    if (total <= 0) throw new RangeError('weights must not all be zero');
    for (let i = 0; i < this.cumulative.length; i++) this.cumulative[i]! /= total;
  }

  /** An index drawn with the given weights. */
  draw(random: Random): number {
    const u = random.next();
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
