// What the requests around one fault came to: how many were sent in its window, which failed and
// why, and how long until every target answered again. Pure functions over the request log.

/** One request of the mixed load, as the log keeps it. */
export interface RequestEvent {
  /** Which kind of request (`graphql-page`, `rest-create`...): recovery waits for each. */
  target: string;
  /** When it was due to be sent, in ms on the run's clock (performance.now()). */
  sentAt: number;
  ok: boolean;
  /** Why it failed: `503`, `200 GraphQL INTERNAL_SERVER_ERROR`, `network UND_ERR_SOCKET`, `timeout`. */
  failure?: string;
}

/** Requests in a window, the failures among them by reason and by target (each most frequent first). */
export interface WindowCounts {
  requests: number;
  failed: number;
  reasons: [string, number][];
  /** `target: reason` with its count: which requests a reason hit. */
  byTarget: [string, number][];
}

const tally = (keys: string[]): [string, number][] => {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
};

/** The requests sent in [from, to) and the failures among them. */
export function windowCounts(events: readonly RequestEvent[], from: number, to: number): WindowCounts {
  const inside = events.filter((event) => event.sentAt >= from && event.sentAt < to);
  const failed = inside.filter((event) => !event.ok);
  return {
    requests: inside.length,
    failed: failed.length,
    reasons: tally(failed.map((event) => event.failure ?? 'unknown')),
    byTarget: tally(failed.map((event) => `${event.target}: ${event.failure ?? 'unknown'}`)),
  };
}

/**
 * The time from `faultAt` until every one of `targets` had recovered, in ms; null when one had
 * not by the end of the log. A target has recovered at the send time of the first request of a
 * run of `streak` consecutive successes (in send order) after which it fails no more: a target
 * that does not fail after the fault recovered at once (0), one that fails again after a good run
 * had not recovered then. A target with fewer than `streak` requests after its last failure has
 * not recovered.
 */
export function recoveryMs(
  events: readonly RequestEvent[],
  faultAt: number,
  targets: readonly string[],
  streak: number,
): number | null {
  let worst = 0;
  for (const target of targets) {
    const after = events
      .filter((event) => event.target === target && event.sentAt >= faultAt)
      .sort((a, b) => a.sentAt - b.sentAt);
    const lastFailure = after.findLastIndex((event) => !event.ok);
    if (lastFailure === -1) continue;
    const run = after.slice(lastFailure + 1);
    if (run.length < streak) return null;
    worst = Math.max(worst, run[0]!.sentAt - faultAt);
  }
  return worst;
}
