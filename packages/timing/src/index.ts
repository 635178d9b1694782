/** Server-Timing metric names are tokens (RFC 9110 token characters). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

interface Part {
  ms: number;
  active: number;
  since: number;
  description: string | undefined;
}

/** A monotonic clock in ms: `performance.now()`, or a test's fake one. */
export type Clock = () => number;

const realClock: Clock = () => performance.now();

/**
 * Where one request's time went, by part. A part's time is the wall time during which at least
 * one of its operations was in flight, so five queries running in parallel for 2 ms count 2 ms,
 * not 10: the parts say what the request waited on.
 */
export class RequestTiming {
  private readonly parts = new Map<string, Part>();
  readonly startedAt: number;

  /** `now` reads the time (`performance.now()` unless a test gives a clock it moves itself). */
  constructor(private readonly now: Clock = realClock) {
    this.startedAt = now();
  }

  private part(name: string, description?: string): Part {
    let part = this.parts.get(name);
    if (!part) {
      if (!TOKEN.test(name)) throw new Error(`a Server-Timing name must be a token, got "${name}"`);
      this.parts.set(name, (part = { ms: 0, active: 0, since: 0, description }));
    }
    return part;
  }

  /** Marks the start of an operation of part `name`; call the returned function when it ends. */
  begin(name: string, description?: string): () => void {
    const part = this.part(name, description);
    if (part.active++ === 0) part.since = this.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--part.active === 0) part.ms += this.now() - part.since;
    };
  }

  /** Adds `ms` to part `name` (for work timed elsewhere). */
  add(name: string, ms: number, description?: string): void {
    this.part(name, description).ms += ms;
  }

  /** The parts so far in ms (operations still running count up to now). */
  snapshot(): Record<string, number> {
    const now = this.now();
    return Object.fromEntries(
      [...this.parts].map(([name, part]) => [name, part.ms + (part.active ? now - part.since : 0)]),
    );
  }

  /** The `Server-Timing` header value: every part, then `total` (the request so far). */
  header(): string {
    // one pass over the parts (made for every answer of every service)
    const now = this.now();
    let header = '';
    for (const [name, part] of this.parts) {
      const ms = part.ms + (part.active ? now - part.since : 0);
      const description = part.description ? `;desc="${part.description.replace(/["\\]/g, '')}"` : '';
      header += `${name};dur=${ms.toFixed(2)}${description}, `;
    }
    return `${header}total;dur=${(now - this.startedAt).toFixed(2)}`;
  }
}

/**
 * Awaits `work`, counting its time to part `name` of `timing` (a plain await without one).
 *
 * The timing is passed, not found in an AsyncLocalStorage: on Node 20 an active
 * AsyncLocalStorage runs a hook on every promise of the process, about 10% of a service's CPU
 * per page (docs/benchmarks.md, "CPU per page"). Each request carries its RequestTiming to where it waits.
 */
export async function timed<T>(
  timing: RequestTiming | null | undefined,
  name: string,
  work: () => Promise<T>,
  description?: string,
): Promise<T> {
  const end = timing?.begin(name, description);
  if (!end) return work();
  try {
    return await work();
  } finally {
    end();
  }
}

export { Cancellation } from './cancellation.ts';
