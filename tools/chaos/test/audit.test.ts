// The audit judges fake records: it must flag a lost write, a duplicate, a stale read, and pass a
// clean run (retried writes included).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { audit, type CreateRecord, type PatchRecord } from '../src/audit.ts';

const create = (key: string, fields: Partial<CreateRecord> = {}): CreateRecord => ({
  key,
  target: 'rest-create',
  acked: true,
  rows: 1,
  ...fields,
});
const patch = (itemId: number, fields: Partial<PatchRecord> = {}): PatchRecord => ({
  itemId,
  value: `v${itemId}`,
  acked: true,
  stored: `v${itemId}`,
  reads: { graphql: 'fresh', rest: 'fresh', ssr: 'fresh' },
  ...fields,
});

describe('the audit', () => {
  test('a clean run: acknowledged writes once, retried ones once, every read fresh', () => {
    const result = audit(
      [create('a'), create('b', { acked: false, retryAcked: true, rows: 1 })],
      [patch(1), patch(2, { acked: false, retryAcked: true })],
    );
    assert.equal(result.clean, true, JSON.stringify(result.findings));
    assert.deepEqual(result.creates, { acked: 1, retried: 1, retriedAcked: 1 });
    assert.deepEqual(result.patches, { acked: 1, retried: 1, retriedAcked: 1, reads: 6 });
  });

  test('an acknowledged create with no row is lost; one retried and acknowledged with no row too', () => {
    const result = audit([create('a', { rows: 0 }), create('b', { acked: false, retryAcked: true, rows: 0 })], []);
    assert.equal(result.lost, 2);
    assert.deepEqual(
      result.findings.map((finding) => finding.what),
      ['a', 'b'],
    );
    assert.equal(result.clean, false);
  });

  test('two rows for one key is a duplicate, acknowledged or not', () => {
    const result = audit([create('a', { rows: 2 }), create('b', { acked: false, retryAcked: true, rows: 3 })], []);
    assert.equal(result.duplicates, 2);
    assert.equal(result.lost, 0);
  });

  test('a write whose retry never succeeded is unresolved, not silently passed', () => {
    const result = audit([create('a', { acked: false, retryAcked: false, rows: 0 })], [patch(1, { acked: false })]);
    assert.equal(result.unresolved, 2);
    assert.equal(result.clean, false);
  });

  test('a surface showing the old value after an acknowledged PATCH is a stale read; no answer is not', () => {
    const result = audit([], [patch(1, { reads: { graphql: 'fresh', rest: 'stale', ssr: 'failed' } })]);
    assert.equal(result.staleReads, 1);
    assert.equal(result.failedReads, 1);
    assert.deepEqual(
      result.findings.map((finding) => `${finding.kind} ${finding.what}`),
      ['stale item 1 (rest)', 'unread item 1 (ssr)'],
    );
  });

  test('an acknowledged PATCH whose value is not in the database is a lost update', () => {
    const result = audit([], [patch(1, { stored: 'older' })]);
    assert.equal(result.lostUpdates, 1);
  });
});
