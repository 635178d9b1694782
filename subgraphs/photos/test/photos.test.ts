// The photos module's own rules, without HTTP: a new photo's place in the gallery, what it
// refuses (and leaves unchanged), and that a write is seen by the next read through the cache.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readConfig, SEED_IMAGE_HOST } from '@supergraph-lab/config';
import { moduleParts } from '@supergraph-lab/stack/fixture';
import { createPhotosModule } from '../src/photos.ts';

const request = {
  idempotency: null,
  respond: (body: unknown) => ({ status: 201, headers: {}, body: JSON.stringify(body) }),
};
const photo = { url: `https://${SEED_IMAGE_HOST}/one.jpg`, width: 800, height: 600 };

describe('photos module', () => {
  const parts = moduleParts('photos_module', { items: 10, seed: 5 });
  const photos = () => createPhotosModule(parts.prisma, parts.cache, parts.writes, readConfig({}).imageHosts);

  test('a photo without a position goes to the end of its gallery', async () => {
    const last = await parts.prisma.photo.aggregate({ where: { itemId: 3 }, _max: { position: true } });
    const { answer } = await photos().add('3', photo, request);
    assert.equal(JSON.parse(answer.body).position, (last._max.position ?? -1) + 1);
  });

  test('bad input is refused naming the field; a missing item or photo is NOT_FOUND naming it', async () => {
    const count = await parts.prisma.photo.count();
    await assert.rejects(async () => photos().add('3', { ...photo, url: 'ftp://x' }, request), {
      code: 'BAD_USER_INPUT',
      message: /url: must be an http\(s\) URL/,
    });
    await assert.rejects(async () => photos().add('3', { ...photo, width: 0 }, request), {
      code: 'BAD_USER_INPUT',
      message: /width: must be between 1 and 20000/,
    });
    await assert.rejects(async () => photos().add('999999', photo, request), {
      code: 'NOT_FOUND',
      message: /item 999999/,
    });
    assert.equal(await parts.prisma.photo.count(), count, 'nothing written');
    await assert.rejects(async () => photos().update('999999', { width: 10 }), {
      code: 'NOT_FOUND',
      message: /photo 999999/,
    });
  });

  test("a change to a photo is seen by the next read of its item's gallery through the cache", async () => {
    const module = photos();
    const [first] = await module.ofItem('4', {}, parts.cache.readerForRequest());
    assert.ok(first, 'item 4 has photos');
    await module.ofItem('4', {}, parts.cache.readerForRequest());
    await module.update(String(first.id), { altText: 'Changed by the module test' });
    const [after] = await module.ofItem('4', {}, parts.cache.readerForRequest());
    assert.equal(after!.altText, 'Changed by the module test');
  });
});
