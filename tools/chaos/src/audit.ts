// The audit after a fault: every write the load made is checked where it landed. Pure: it judges
// records the run gathered (answers, the rows counted in the database, what reads showed).

/** A create (a review, over REST or GraphQL) sent with an Idempotency-Key written into its title. */
export interface CreateRecord {
  key: string;
  target: string;
  /** The load's request was answered with success. */
  acked: boolean;
  /** For one that was not: whether the retry with the same key, after recovery, was. */
  retryAcked?: boolean;
  /** Reviews in the database whose title carries the key, counted after the retries. */
  rows: number;
}

/** Where a PATCHed value was read back through the balancer. */
export type Surface = 'graphql' | 'rest' | 'ssr';
export const SURFACES: readonly Surface[] = ['graphql', 'rest', 'ssr'];

/** A PATCH of an item's name (one PATCH per item in a fault's run, so its value is the expected one). */
export interface PatchRecord {
  itemId: number;
  value: string;
  acked: boolean;
  /** For one that was not: whether sending it again after recovery was. */
  retryAcked?: boolean;
  /** The item's name in the database after the retries. */
  stored: string | null;
  /** What each surface showed after recovery: `value` (fresh), another name (stale), or no answer. */
  reads: Partial<Record<Surface, 'fresh' | 'stale' | 'failed'>>;
}

export interface AuditFinding {
  kind: 'lost' | 'duplicate' | 'unresolved' | 'lost-update' | 'stale' | 'unread';
  /** The create's key, or `item <id>` (and the surface for a stale read). */
  what: string;
}

/** What the audit found, with the counts the report shows. */
export interface AuditResult {
  creates: { acked: number; retried: number; retriedAcked: number };
  patches: { acked: number; retried: number; retriedAcked: number; reads: number };
  /** An acknowledged create (or an acknowledged retry) with no row. */
  lost: number;
  /** A create with more than one row. */
  duplicates: number;
  /** A write whose retry after recovery still failed: neither it nor its row count can be vouched for. */
  unresolved: number;
  /** An acknowledged PATCH whose value is not in the database. */
  lostUpdates: number;
  /** Reads after recovery that showed an older value than an acknowledged PATCH's. */
  staleReads: number;
  /** Reads after recovery that got no successful answer (retried a few times): no verdict either way. */
  failedReads: number;
  /** Each finding; the first few go into the report. */
  findings: AuditFinding[];
  clean: boolean;
}

/** Judges the creates and PATCHes of one fault's run. */
export function audit(creates: readonly CreateRecord[], patches: readonly PatchRecord[]): AuditResult {
  const findings: AuditFinding[] = [];
  for (const create of creates) {
    const confirmed = create.acked || create.retryAcked === true;
    if (create.rows > 1) findings.push({ kind: 'duplicate', what: create.key });
    else if (confirmed && create.rows === 0) findings.push({ kind: 'lost', what: create.key });
    if (!confirmed) findings.push({ kind: 'unresolved', what: create.key });
  }
  let reads = 0;
  for (const patch of patches) {
    const item = `item ${patch.itemId}`;
    if (!patch.acked && patch.retryAcked !== true) {
      findings.push({ kind: 'unresolved', what: item });
      continue;
    }
    if (patch.stored !== patch.value) findings.push({ kind: 'lost-update', what: item });
    for (const surface of SURFACES) {
      const read = patch.reads[surface];
      if (read === undefined) continue;
      reads++;
      if (read !== 'fresh')
        findings.push({ kind: read === 'stale' ? 'stale' : 'unread', what: `${item} (${surface})` });
    }
  }
  const count = (kind: AuditFinding['kind']) => findings.filter((finding) => finding.kind === kind).length;
  const retried = <T extends { acked: boolean; retryAcked?: boolean }>(records: readonly T[]) =>
    records.filter((record) => !record.acked);
  const result = {
    creates: {
      acked: creates.filter((create) => create.acked).length,
      retried: retried(creates).length,
      retriedAcked: retried(creates).filter((create) => create.retryAcked).length,
    },
    patches: {
      acked: patches.filter((patch) => patch.acked).length,
      retried: retried(patches).length,
      retriedAcked: retried(patches).filter((patch) => patch.retryAcked).length,
      reads,
    },
    lost: count('lost'),
    duplicates: count('duplicate'),
    unresolved: count('unresolved'),
    lostUpdates: count('lost-update'),
    staleReads: count('stale'),
    failedReads: count('unread'),
    findings,
  };
  return { ...result, clean: findings.length === 0 };
}
