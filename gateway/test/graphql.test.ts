import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { REVIEW_SORTS } from '@supergraph-lab/db';
import { graphql, type GraphQLResult, busiestItem } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';

const ITEMS = 300;

const ITEM_PAGE = /* GraphQL */ `
  query ItemPage($id: ID!, $sort: ReviewSort, $after: String) {
    item(id: $id) {
      id
      sku
      name
      description
      category
      brand
      priceCents
      currency
      stock
      createdAt
      updatedAt
      primaryPhoto {
        id
        url
        altText
        width
        height
        position
      }
      photos(first: 12) {
        id
        position
        url
        item {
          id
        }
      }
      reviewSummary {
        count
        averageRating
        histogram
      }
      reviews(first: 3, sort: $sort, after: $after) {
        totalCount
        edges {
          cursor
          node {
            id
            rating
            title
            body
            author
            verifiedPurchase
            helpfulCount
            createdAt
            item {
              id
              name
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`;

describe('GraphQL through the gateway', () => {
  const stack = seededStack('gateway_graphql', { items: ITEMS, seed: 5 });
  let url: string;
  before(() => {
    url = stack.gatewayUrl;
  });

  test('the item page in one query matches the database', async () => {
    const withReviews = await stack.prisma.review.groupBy({
      by: ['itemId'],
      having: { itemId: { _count: { gt: 4 } } },
      orderBy: { itemId: 'asc' },
      take: 1,
    });
    const itemId = withReviews[0]!.itemId;
    const result = await graphql(url, ITEM_PAGE, { id: String(itemId) });
    assert.equal(result.status, 200);
    assert.equal(result.errors, undefined);
    const item = result.data!.item;
    const row = (await stack.prisma.item.findUnique({ where: { id: itemId } }))!;
    assert.deepEqual(
      { ...item, primaryPhoto: undefined, photos: undefined, reviewSummary: undefined, reviews: undefined },
      {
        ...row,
        id: String(row.id),
        createdAt: row.createdAt.toISOString(),
        updatedAt: row.updatedAt.toISOString(),
        primaryPhoto: undefined,
        photos: undefined,
        reviewSummary: undefined,
        reviews: undefined,
      },
    );
    const photos = await stack.prisma.photo.findMany({
      where: { itemId },
      orderBy: [{ position: 'asc' }, { id: 'asc' }],
    });
    assert.deepEqual(
      item.photos.map((photo: { id: string }) => Number(photo.id)),
      photos.map((photo) => photo.id),
    );
    assert.equal(item.primaryPhoto?.id ?? null, photos[0] ? String(photos[0].id) : null);
    assert.ok(item.photos.every((photo: { item: { id: string } }) => photo.item.id === String(itemId)));

    const reviews = await stack.prisma.review.findMany({ where: { itemId }, orderBy: { id: 'desc' } });
    const histogram = [1, 2, 3, 4, 5].map((star) => reviews.filter((review) => review.rating === star).length);
    assert.deepEqual(item.reviewSummary, {
      count: reviews.length,
      histogram,
      averageRating: Math.round((reviews.reduce((sum, review) => sum + review.rating, 0) / reviews.length) * 100) / 100,
    });
    assert.equal(item.reviews.totalCount, reviews.length);
    assert.deepEqual(
      item.reviews.edges.map((edge: { node: { id: string } }) => Number(edge.node.id)),
      reviews.slice(0, 3).map((review) => review.id),
    );
    assert.equal(
      item.reviews.edges[0].node.item.name,
      row.name,
      'Review.item resolves back through the items subgraph',
    );
    assert.equal(item.reviews.pageInfo.hasNextPage, true);
  });

  test('review pages: every sort walks all reviews by cursor; a cursor of another sort is refused', async () => {
    const busiest = await busiestItem(stack.prisma);
    const itemId = String(busiest.id);
    const total = busiest.reviews;
    for (const sort of REVIEW_SORTS) {
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 20; page++) {
        const result: GraphQLResult<any> = await graphql(url, ITEM_PAGE, { id: itemId, sort, after });
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        const reviews = result.data!.item.reviews;
        seen.push(...reviews.edges.map((edge: { node: { id: string } }) => edge.node.id));
        if (!reviews.pageInfo.hasNextPage) break;
        after = reviews.pageInfo.endCursor;
      }
      assert.equal(seen.length, total, `${sort} saw every review`);
      assert.equal(new Set(seen).size, total, `${sort} saw no review twice`);
    }
    const newest = await graphql(url, ITEM_PAGE, { id: itemId, sort: 'NEWEST' });
    const wrong = await graphql(url, ITEM_PAGE, {
      id: itemId,
      sort: 'HIGHEST',
      after: newest.data!.item.reviews.pageInfo.endCursor,
    });
    assert.equal(wrong.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(wrong.errors![0]!.message, /after is a cursor for sort NEWEST, not HIGHEST/);
  });

  test('items: newest first, keyset pages without overlap, category filter', async () => {
    const query = `query($first: Int, $after: String, $category: String) {
      items(first: $first, after: $after, category: $category) { edges { cursor node { id category } } pageInfo { hasNextPage endCursor } } }`;
    const ids: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const result: GraphQLResult<any> = await graphql(url, query, { first: 7, after });
      const connection: any = result.data!.items;
      ids.push(...connection.edges.map((edge: { node: { id: string } }) => Number(edge.node.id)));
      assert.equal(connection.pageInfo.endCursor, connection.edges.at(-1).cursor);
      after = connection.pageInfo.endCursor;
    }
    assert.deepEqual(
      ids,
      Array.from({ length: 21 }, (_, index) => ITEMS - index),
    );
    const books = await graphql(url, query, { first: 100, category: 'Books' });
    const expected = await stack.prisma.item.count({ where: { category: 'Books' } });
    assert.equal(books.data!.items.edges.length, expected);
    assert.ok(books.data!.items.edges.every((edge: { node: { category: string } }) => edge.node.category === 'Books'));
    assert.equal(books.data!.items.pageInfo.hasNextPage, false);
    const none = await graphql(url, query, { first: 5, category: 'No Such Category' });
    assert.deepEqual(none.data!.items, { edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  test('bad arguments are BAD_USER_INPUT naming the rule and the value; a missing item is null', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['query($id: ID!) { item(id: $id) { id } }', { id: 'abc' }, /id must be a positive integer, got "abc"/],
      ['query($id: ID!) { item(id: $id) { id } }', { id: '-4' }, /id must be a positive integer, got "-4"/],
      ['{ items(first: 5000) { edges { cursor } } }', {}, /first must be between 1 and 100, got 5000/],
      ['{ items(first: 0) { edges { cursor } } }', {}, /first must be between 1 and 100, got 0/],
      ['{ items(after: "not-a-cursor!") { edges { cursor } } }', {}, /after must be a cursor from a previous page/],
      ['{ item(id: "1") { reviews(first: 101) { totalCount } } }', {}, /first must be between 1 and 100, got 101/],
      ['{ item(id: "1") { photos(first: -1) { id } } }', {}, /first must be between 1 and 100, got -1/],
    ];
    for (const [query, variables, message] of cases) {
      const result = await graphql(url, query, variables);
      assert.equal(
        result.errors?.[0]?.extensions?.code,
        'BAD_USER_INPUT',
        `${query}: ${JSON.stringify(result.errors)}`,
      );
      assert.match(result.errors![0]!.message, message);
      assert.equal(result.errors![0]!.extensions!.stacktrace, undefined, 'no stack trace outside development');
    }
    const missing = await graphql(
      url,
      '{ item(id: "999999") { id name } review(id: "999999999") { id } photo(id: "999999999") { id } }',
    );
    assert.deepEqual(missing, { status: 200, data: { item: null, review: null, photo: null } });
  });

  test('item mutations: create, update merges, delete cascades, errors are coded', async () => {
    const created = await graphql(
      url,
      `
        mutation ($input: CreateItemInput!) {
          createItem(input: $input) {
            id
            sku
            name
            currency
            stock
            description
          }
        }
      `,
      { input: { sku: 'GQL-1', name: 'Graph Lamp', category: 'Home & Kitchen', brand: 'Lum', priceCents: 2599 } },
    );
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const item = created.data!.createItem;
    assert.deepEqual(
      { ...item, id: undefined },
      { id: undefined, sku: 'GQL-1', name: 'Graph Lamp', currency: 'USD', stock: 0, description: '' },
    );
    assert.equal(Number(item.id), ITEMS + 1, 'ids continue after the loaded ones');

    const duplicate = await graphql(
      url,
      `
        mutation {
          createItem(input: { sku: "GQL-1", name: "x", category: "c", brand: "b", priceCents: 1 }) {
            id
          }
        }
      `,
    );
    assert.equal(duplicate.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.match(duplicate.errors![0]!.message, /unique constraint violated/);

    const invalid = await graphql(
      url,
      `
        mutation {
          createItem(input: { sku: "bad sku", name: "", category: "c", brand: "b", priceCents: -5, currency: "usd" }) {
            id
          }
        }
      `,
    );
    assert.equal(invalid.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(
      invalid.errors![0]!.message,
      /sku: must be letters, digits.*name: must not be empty.*priceCents: must be >= 0.*currency: must be a three-letter ISO 4217 code/,
    );
    assert.equal(await stack.prisma.item.count({ where: { sku: 'bad sku' } }), 0, 'nothing written');

    const updated = await graphql(
      url,
      `
        mutation ($id: ID!) {
          updateItem(id: $id, input: { stock: 7, name: null }) {
            name
            stock
            priceCents
          }
        }
      `,
      { id: item.id },
    );
    assert.deepEqual(
      updated.data!.updateItem,
      { name: 'Graph Lamp', stock: 7, priceCents: 2599 },
      'only stock changed; null means "leave it"',
    );

    const review = await graphql(
      url,
      `
        mutation ($id: ID!) {
          createReview(input: { itemId: $id, rating: 4, title: "t", body: "b", author: "a" }) {
            id
          }
        }
      `,
      { id: item.id },
    );
    const photo = await graphql(
      url,
      `
        mutation ($id: ID!) {
          addPhoto(input: { itemId: $id, url: "https://images.supergraph-shop.example/a.jpg", width: 10, height: 10 }) {
            id
            position
          }
        }
      `,
      { id: item.id },
    );
    assert.equal(photo.data!.addPhoto.position, 0);

    const deleted = await graphql(
      url,
      `
        mutation ($id: ID!) {
          deleteItem(id: $id)
        }
      `,
      { id: item.id },
    );
    assert.deepEqual(deleted.data, { deleteItem: true });
    const gone = await graphql(
      url,
      `
        query ($r: ID!, $p: ID!) {
          review(id: $r) {
            id
          }
          photo(id: $p) {
            id
          }
        }
      `,
      {
        r: review.data!.createReview.id,
        p: photo.data!.addPhoto.id,
      },
    );
    assert.deepEqual(gone.data, { review: null, photo: null }, 'reviews and photos went with the item');
    const again = await graphql(
      url,
      `
        mutation ($id: ID!) {
          deleteItem(id: $id)
        }
      `,
      { id: item.id },
    );
    assert.equal(again.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.match(again.errors![0]!.message, new RegExp(`item ${item.id} not found`));
    const updateMissing = await graphql(
      url,
      `
        mutation {
          updateItem(id: "999999", input: { stock: 1 }) {
            id
          }
        }
      `,
    );
    assert.equal(updateMissing.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  test('review mutations: create, update, delete; a bad rating or a missing item changes nothing', async () => {
    const before = await stack.prisma.review.count();
    const badRating = await graphql(
      url,
      `
        mutation {
          createReview(input: { itemId: "1", rating: 6, title: "t", body: "b", author: "a" }) {
            id
          }
        }
      `,
    );
    assert.equal(badRating.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(badRating.errors![0]!.message, /rating: must be between 1 and 5/);
    const noItem = await graphql(
      url,
      `
        mutation {
          createReview(input: { itemId: "999999", rating: 5, title: "t", body: "b", author: "a" }) {
            id
          }
        }
      `,
    );
    assert.equal(noItem.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.match(noItem.errors![0]!.message, /item 999999 not found/);
    assert.equal(await stack.prisma.review.count(), before);

    const created = await graphql(
      url,
      `
        mutation {
          createReview(
            input: { itemId: "2", rating: 5, title: "Great", body: "Really", author: "Ann B.", verifiedPurchase: true }
          ) {
            id
            rating
            verifiedPurchase
            helpfulCount
            item {
              id
            }
          }
        }
      `,
    );
    const review = created.data!.createReview;
    assert.deepEqual(
      { ...review, id: undefined },
      { id: undefined, rating: 5, verifiedPurchase: true, helpfulCount: 0, item: { id: '2' } },
    );
    const updated = await graphql(
      url,
      `
        mutation ($id: ID!) {
          updateReview(id: $id, input: { helpfulCount: 3, rating: 2 }) {
            rating
            helpfulCount
            title
          }
        }
      `,
      { id: review.id },
    );
    assert.deepEqual(updated.data!.updateReview, { rating: 2, helpfulCount: 3, title: 'Great' });
    const page = await graphql(
      url,
      `
        {
          item(id: "2") {
            reviews(first: 1) {
              edges {
                node {
                  id
                  rating
                }
              }
            }
          }
        }
      `,
    );
    assert.deepEqual(
      page.data!.item.reviews.edges[0].node,
      { id: review.id, rating: 2 },
      'the newest review is the one just written',
    );
    assert.deepEqual(
      (
        await graphql(
          url,
          `
            mutation ($id: ID!) {
              deleteReview(id: $id)
            }
          `,
          { id: review.id },
        )
      ).data,
      { deleteReview: true },
    );
    const again = await graphql(
      url,
      `
        mutation ($id: ID!) {
          deleteReview(id: $id)
        }
      `,
      { id: review.id },
    );
    assert.equal(again.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  test('photo mutations: added at the end of the gallery, updated, deleted', async () => {
    const existing = await stack.prisma.photo.count({ where: { itemId: 3 } });
    const added = await graphql(
      url,
      `
        mutation {
          addPhoto(
            input: {
              itemId: "3"
              url: "https://images.supergraph-shop.example/new.jpg"
              altText: "New"
              width: 800
              height: 600
            }
          ) {
            id
            position
            url
            item {
              id
            }
          }
        }
      `,
    );
    const photo = added.data!.addPhoto;
    assert.equal(photo.position, existing, 'appended after the existing photos');
    const updated = await graphql(
      url,
      `
        mutation ($id: ID!) {
          updatePhoto(id: $id, input: { altText: "Renamed", position: 0 }) {
            altText
            position
            width
          }
        }
      `,
      { id: photo.id },
    );
    assert.deepEqual(updated.data!.updatePhoto, { altText: 'Renamed', position: 0, width: 800 });
    const badUrl = await graphql(
      url,
      `
        mutation {
          addPhoto(input: { itemId: "3", url: "javascript:alert(1)", width: 1, height: 1 }) {
            id
          }
        }
      `,
    );
    assert.match(badUrl.errors![0]!.message, /url: must be an http\(s\) URL/);
    assert.deepEqual(
      (
        await graphql(
          url,
          `
            mutation ($id: ID!) {
              deletePhoto(id: $id)
            }
          `,
          { id: photo.id },
        )
      ).data,
      { deletePhoto: true },
    );
    assert.equal(
      (
        await graphql(
          url,
          `
            mutation ($id: ID!) {
              deletePhoto(id: $id)
            }
          `,
          { id: photo.id },
        )
      ).errors?.[0]?.extensions?.code,
      'NOT_FOUND',
    );
  });
});
