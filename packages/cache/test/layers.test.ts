import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CACHE_LAYERS, CONTENT_LAYERS, EPOCH_KEY, hitRatio, layerKey, layerOf, versionKeys } from '../src/index.ts';

test('every layer reads back from the keys it writes, and no prefix shadows another', () => {
  for (const layer of Object.keys(CACHE_LAYERS) as (keyof typeof CACHE_LAYERS)[])
    assert.equal(layerOf(layerKey(layer, 'x:1')), layer);
  assert.equal(layerOf(versionKeys.item(7)), 'version');
  assert.equal(layerOf(EPOCH_KEY), 'version');
  assert.equal(layerOf('something-else'), 'other');
  const prefixes = Object.values(CACHE_LAYERS);
  for (const a of prefixes)
    for (const b of prefixes) if (a !== b) assert.ok(!b.startsWith(a), `"${b}" starts with "${a}"`);
  assert.ok(CONTENT_LAYERS.every((layer) => layer in CACHE_LAYERS));
});

test('hit ratio: hits over lookups, null before the first', () => {
  assert.equal(hitRatio({ hits: 0, misses: 0 }), null);
  assert.equal(hitRatio({ hits: 3, misses: 1 }), 0.75);
});
