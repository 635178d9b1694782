// What the write routes refuse before anything reaches the database, the same over REST and
// GraphQL, on Postgres and MariaDB alike (a U+0000 in a title was a 500 on Postgres and a 201 on
// MariaDB).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { graphql, rest, type GraphQLResult, type RestResult } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';

const PHOTO_URL = 'https://images.supergraph-shop.example/products/ab/0123456789abcdef_800x600.jpg';

/** Each kind's valid create body, its one-line and multi-line text fields, and its routes. */
const KINDS = {
  item: {
    body: { sku: 'CTRL-1', name: 'Plain Kettle', category: 'Books', brand: 'Nordvik', priceCents: 100 },
    oneLine: ['sku', 'name', 'category', 'brand'],
    multiLine: ['description'],
    createPath: '/api/items',
    path: (id: number) => `/api/items/${id}`,
    create: 'createItem(input: $input) { id }',
    createInput: 'CreateItemInput',
    update: 'updateItem(id: $id, input: $input) { id }',
    updateInput: 'UpdateItemInput',
  },
  review: {
    body: { rating: 4, title: 'Fine', body: 'It boils.', author: 'Ann' },
    oneLine: ['title', 'author'],
    multiLine: ['body'],
    createPath: '/api/items/5/reviews',
    path: (id: number) => `/api/reviews/${id}`,
    create: 'createReview(input: $input) { id }',
    createInput: 'CreateReviewInput',
    update: 'updateReview(id: $id, input: $input) { id }',
    updateInput: 'UpdateReviewInput',
  },
  photo: {
    body: { url: PHOTO_URL, altText: 'A kettle', width: 800, height: 600 },
    oneLine: ['url', 'altText'],
    multiLine: [],
    createPath: '/api/items/5/photos',
    path: (id: number) => `/api/photos/${id}`,
    create: 'addPhoto(input: $input) { id }',
    createInput: 'AddPhotoInput',
    update: 'updatePhoto(id: $id, input: $input) { id }',
    updateInput: 'UpdatePhotoInput',
  },
} as const;
type Kind = keyof typeof KINDS;

/** Characters no text field takes, and those only multi-line ones (body, description) take. */
const NEVER = ['\u0000', '\u0001', '\u0008', '\u000b', '\u001b', '\u001f', '\u007f', '\u009b'];
const MULTI_LINE_ONLY = ['\t', '\n', '\r'];

const hex = (char: string) => `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

function assertRefusedOverRest(result: RestResult, field: string, what: string): void {
  assert.equal(result.status, 400, `${what}: ${JSON.stringify(result.body)}`);
  assert.equal(result.body.code, 'BAD_USER_INPUT', what);
  assert.match(result.body.detail, new RegExp(`\\b${field}: must not contain control characters`), what);
  assert.ok(
    result.body.errors?.some((error: { field: string }) => error.field === field),
    `${what} names ${field}: ${JSON.stringify(result.body.errors)}`,
  );
}

function assertRefusedOverGraphQL(result: GraphQLResult, field: string, what: string): void {
  const error = result.errors?.[0];
  assert.equal(error?.extensions?.code, 'BAD_USER_INPUT', `${what}: ${JSON.stringify(result)}`);
  assert.match(error.message, new RegExp(`\\b${field}: must not contain control characters`), what);
  assert.ok(
    (error.extensions.errors as { field: string }[] | undefined)?.some((problem) => problem.field === field),
    `${what} names ${field}`,
  );
}

describe('text fields refuse control characters (400 / BAD_USER_INPUT naming the field)', () => {
  const stack = seededStack('gateway_input', { items: 12, seed: 5 });
  let sku = 0;
  /** A kind's valid body, with a fresh sku (the column is unique) and `changes` on top. */
  const bodyOf = (kind: Kind, changes: Record<string, string> = {}) => ({
    ...KINDS[kind].body,
    ...(kind === 'item' ? { sku: `CTRL-${++sku}` } : {}),
    ...changes,
  });
  const create = async (kind: Kind) => {
    const created = await rest(stack.gatewayUrl, 'POST', KINDS[kind].createPath, bodyOf(kind));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.id as number;
  };
  const gql = (kind: Kind, operation: 'create' | 'update', input: Record<string, unknown>, id?: number) => {
    const spec = KINDS[kind];
    const [field, type] = operation === 'create' ? [spec.create, spec.createInput] : [spec.update, spec.updateInput];
    const withItem = operation === 'create' && kind !== 'item' ? { ...input, itemId: '5' } : input;
    return graphql(
      stack.gatewayUrl,
      `mutation (${operation === 'update' ? '$id: ID!, ' : ''}$input: ${type}!) { ${field} }`,
      { input: withItem, ...(id === undefined ? {} : { id: String(id) }) },
    );
  };

  for (const kind of Object.keys(KINDS) as Kind[]) {
    const spec = KINDS[kind];
    test(`${kind}s: creates, PUT, PATCH and the GraphQL mutations refuse them in every text field`, async () => {
      const id = await create(kind);
      const fields = [
        ...spec.oneLine.flatMap((field) => [...NEVER, ...MULTI_LINE_ONLY].map((char) => [field, char] as const)),
        ...spec.multiLine.flatMap((field) => NEVER.map((char) => [field, char] as const)),
      ];
      for (const [field, char] of fields) {
        const bad = { [field]: `bad${char}value` };
        const what = `${kind} ${field} with ${hex(char)}`;
        assertRefusedOverRest(
          await rest(stack.gatewayUrl, 'POST', spec.createPath, bodyOf(kind, bad)),
          field,
          `POST ${what}`,
        );
        assertRefusedOverRest(
          await rest(stack.gatewayUrl, 'PUT', spec.path(id), bodyOf(kind, bad)),
          field,
          `PUT ${what}`,
        );
        assertRefusedOverRest(await rest(stack.gatewayUrl, 'PATCH', spec.path(id), bad), field, `PATCH ${what}`);
        assertRefusedOverGraphQL(await gql(kind, 'create', bodyOf(kind, bad)), field, `GraphQL create ${what}`);
        assertRefusedOverGraphQL(await gql(kind, 'update', bad, id), field, `GraphQL update ${what}`);
      }
    });
  }

  test('multi-line fields keep tabs and line breaks as written', async () => {
    const text = 'Line one\r\nline two\n\tindented';
    for (const [kind, field] of [
      ['item', 'description'],
      ['review', 'body'],
    ] as const) {
      const created = await rest(stack.gatewayUrl, 'POST', KINDS[kind].createPath, bodyOf(kind, { [field]: text }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body[field], text);
      const patched = await rest(stack.gatewayUrl, 'PATCH', KINDS[kind].path(created.body.id), {
        [field]: `Patched\n\n${text}`,
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body[field], `Patched\n\n${text}`);
    }
  });

  test('the category filter refuses them too (a 500 on Postgres before)', async () => {
    const listed = await rest(stack.gatewayUrl, 'GET', '/api/items?category=Bo%00oks');
    assertRefusedOverRest(listed, 'category', 'GET /api/items?category=');
    const page = await graphql(stack.gatewayUrl, 'query ($c: String) { items(category: $c) { edges { cursor } } }', {
      c: 'Bo\u0000oks',
    });
    assertRefusedOverGraphQL(page, 'category', 'items(category:)');
  });
});

describe('photo URLs name only the IMAGE_HOSTS (the lab’s server-side Chromium loads them)', () => {
  const stack = seededStack('gateway_image_hosts', { items: 8, seed: 5 });
  // the defaults: the seed's image host, and the SSR service's own (its /images route)
  const allowed = [PHOTO_URL, 'http://127.0.0.1:3000/images/products/ab/0123456789abcdef_800x600.svg'];
  const refused = [
    'http://169.254.169.254/latest/meta-data',
    'http://10.0.0.1/x.jpg',
    'http://[::1]/x.jpg',
    'http://localhost:4000/admin/settings',
    'http://127.0.0.1:6379/x.jpg',
    // a listed host on another port, as the user part of another host, as a prefix of another name
    'https://images.supergraph-shop.example:6379/x.jpg',
    'https://images.supergraph-shop.example@169.254.169.254/x.jpg',
    'https://images.supergraph-shop.example.evil.test/x.jpg',
    'http://2852039166/latest/meta-data',
  ];
  const photoWith = (url: string) => ({ url, altText: 'A kettle', width: 800, height: 600, position: 0 });

  test('a URL on an allowed host is taken; any other is refused over REST and GraphQL, naming the hosts', async () => {
    let photoId = 0;
    for (const url of allowed) {
      const created = await rest(stack.gatewayUrl, 'POST', '/api/items/3/photos', photoWith(url));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      photoId = created.body.id;
    }
    // the last one stays as it is: its URL is what the refused writes below would change
    const kept = allowed.at(-1)!;
    for (const url of refused) {
      const attempts = [
        await rest(stack.gatewayUrl, 'POST', '/api/items/3/photos', photoWith(url)),
        await rest(stack.gatewayUrl, 'PUT', `/api/photos/${photoId}`, photoWith(url)),
        await rest(stack.gatewayUrl, 'PATCH', `/api/photos/${photoId}`, { url }),
      ];
      for (const result of attempts) {
        assert.equal(result.status, 400, `${url}: ${JSON.stringify(result.body)}`);
        assert.equal(result.body.code, 'BAD_USER_INPUT');
        assert.match(
          result.body.detail,
          /url: must name one of the image hosts \(IMAGE_HOSTS\): images\.supergraph-shop\.example, 127\.0\.0\.1:3000/,
        );
        assert.deepEqual(
          result.body.errors.map((error: { field: string }) => error.field),
          ['url'],
        );
      }
      const added = await graphql(
        stack.gatewayUrl,
        'mutation ($input: AddPhotoInput!) { addPhoto(input: $input) { id } }',
        { input: { ...photoWith(url), itemId: '3' } },
      );
      assert.equal(added.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `${url}: ${JSON.stringify(added)}`);
      assert.match(added.errors![0]!.message, /url: must name one of the image hosts/);
    }
    const stored = await rest(stack.gatewayUrl, 'GET', '/api/items/3/photos?first=100');
    assert.deepEqual(
      (stored.body.photos as { id: number; url: string }[])
        .filter((photo) => photo.id === photoId || !photo.url.startsWith('https://images.supergraph-shop.example/'))
        .map((photo) => photo.url),
      [kept],
      'nothing but the allowed URLs was stored',
    );
  });
});
