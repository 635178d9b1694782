// The limits' walks against the query written out: fragments must cost, nest and alias exactly
// what their inlined form does, however they are spread (fast-check draws the structures).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  buildSchema,
  getIntrospectionQuery,
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import {
  introspectionDepth,
  MAX_INTROSPECTION_DEPTH,
  operationAliases,
  operationCost,
  operationDepth,
  queryLimits,
  SCHEMA_INTROSPECTION_COST,
} from '../src/limits.ts';

const schema = buildSchema(`
  type Query { item(id: ID!): Item  items(first: Int = 20): ItemConnection! }
  type Item { id: ID!  name: String  reviews(first: Int = 10): ReviewConnection! }
  type ItemConnection { edges: [ItemEdge!]! }
  type ItemEdge { node: Item! }
  type ReviewConnection { edges: [ReviewEdge!]! }
  type ReviewEdge { node: Review! }
  type Review { id: ID!  title: String  item: Item! }
`);

type Fragments = Record<string, FragmentDefinitionNode>;

function partsOf(document: DocumentNode): { operation: OperationDefinitionNode; fragments: Fragments } {
  const fragments: Fragments = {};
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    else if (definition.kind === Kind.OPERATION_DEFINITION) operation = definition;
  }
  return { operation: operation!, fragments };
}

/** The document with every fragment spread replaced by its fragment's fields, as an inline fragment. */
function inlined(document: DocumentNode): DocumentNode {
  const { operation, fragments } = partsOf(document);
  const expand = (node: OperationDefinitionNode | FragmentDefinitionNode): typeof node =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = expand(fragments[spread.name.value]!) as FragmentDefinitionNode;
        return {
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: fragment.typeCondition,
          selectionSet: fragment.selectionSet,
        };
      },
    });
  return { kind: Kind.DOCUMENT, definitions: [expand(operation)] };
}

function measure(document: DocumentNode) {
  const { operation, fragments } = partsOf(document);
  return {
    cost: operationCost(operation.selectionSet, schema.getQueryType()!, schema, fragments, {}),
    depth: operationDepth(operation.selectionSet, fragments),
    aliases: operationAliases(operation.selectionSet, fragments),
  };
}

/**
 * A document of `count` fragments on Item, fragment i spreading only fragments after it (no
 * cycles, as validation demands), each spread anywhere, aliased or not, under paged lists.
 */
const documents = fc.integer({ min: 1, max: 5 }).chain((count) =>
  fc
    .tuple(
      fc.array(
        fc.array(fc.record({ kind: fc.constantFrom('name', 'alias', 'reviews', 'spread'), n: fc.nat(9) }), {
          minLength: 1,
          maxLength: 4,
        }),
        { minLength: count, maxLength: count },
      ),
      fc.array(fc.nat(count - 1), { minLength: 1, maxLength: 3 }),
    )
    .map(([bodies, rootSpreads]) => {
      const spreadAfter = (i: number, n: number) => (i + 1 < count ? `...F${i + 1 + (n % (count - i - 1))}` : 'id');
      const fragments = bodies.map((parts, i) => {
        const fields = parts.map(({ kind, n }) => {
          if (kind === 'name') return 'name';
          if (kind === 'alias') return `a${n}: name`;
          if (kind === 'reviews')
            return `reviews(first: ${1 + n}) { edges { node { id item { ${spreadAfter(i, n)} } } } }`;
          return spreadAfter(i, n);
        });
        return `fragment F${i} on Item { id ${fields.join(' ')} }`;
      });
      const root = rootSpreads.map((i, k) => `x${k}: items(first: ${k + 2}) { edges { node { ...F${i} } } }`);
      return parse(`query { ${root.join(' ')} }\n${fragments.join('\n')}`);
    }),
);

test('fragments cost, nest and alias what the same query written out does (fast-check)', () => {
  fc.assert(
    fc.property(documents, (document) => {
      assert.deepEqual(measure(document), measure(inlined(document)), print(document));
    }),
    { numRuns: 300 },
  );
});

test('a fragment spread again inside a sibling field is counted there too', () => {
  const document = parse(`
    query { item(id: "1") { ...R  reviews(first: 50) { edges { node { item { ...R } } } } } }
    fragment R on Item { reviews(first: 50) { edges { node { id title } } } }
  `);
  // R = 1 + 50 x (1 + 1 + 2) = 201; the sibling: 1 + 50 x (1 + 1 + 1 + 201) = 10,201
  assert.equal(measure(document).cost, 1 + 201 + 10_201);
});

test('fragments spreading fragments are walked once each: an exponential inlined form costs linear time', () => {
  // F0 spreads F1 twice under lists, F1 spreads F2 twice ...: 2^40 fields written out
  const levels = 40;
  const twice = (i: number) => `reviews(first: 2) { edges { node { item { ...F${i + 1} } } } }`;
  const fragments = Array.from({ length: levels }, (_, i) =>
    i + 1 < levels ? `fragment F${i} on Item { ${twice(i)} a${i}: ${twice(i)} }` : `fragment F${i} on Item { id }`,
  );
  const document = parse(`query { item(id: "1") { ...F0 } }\n${fragments.join('\n')}`);
  const { cost, depth, aliases } = measure(document);
  assert.ok(cost > 1e20, `cost ${cost}`);
  assert.equal(depth, 1 + 4 * (levels - 1) + 1);
  assert.equal(aliases, 2 ** (levels - 1) - 1);
});

test("introspection has a cost and a depth: graphql-js's schema query passes, piles of it do not", () => {
  const check = queryLimits({ maxDepth: 10, maxCost: 5000, maxAliases: 30, maxTokens: 2000 });
  const standard = parse(getIntrospectionQuery());
  const { operation, fragments } = partsOf(standard);
  assert.ok(introspectionDepth(operation.selectionSet, fragments) <= MAX_INTROSPECTION_DEPTH);
  check(standard, operation, schema, {});
  const cost = operationCost(operation.selectionSet, schema.getQueryType()!, schema, fragments, {});
  assert.ok(cost > SCHEMA_INTROSPECTION_COST && cost < 5000, `the standard query costs ${cost}`);

  const copies = parse(`{ ${Array.from({ length: 6 }, (_, i) => `s${i}: __schema { types { name } }`).join(' ')} }`);
  assert.throws(
    () => check(copies, partsOf(copies).operation, schema, {}),
    (error: Error & { extensions?: Record<string, unknown> }) =>
      error.extensions?.code === 'QUERY_TOO_COSTLY' && /query cost \d+ exceeds/.test(error.message),
  );
  const deep = parse(`{ __type(name: "Item") { ${'ofType { '.repeat(25)}name${' }'.repeat(25)} } }`);
  assert.throws(
    () => check(deep, partsOf(deep).operation, schema, {}),
    (error: Error & { extensions?: Record<string, unknown> }) =>
      error.extensions?.code === 'QUERY_TOO_DEEP' &&
      /^introspection depth 27 exceeds the limit of 20$/.test(error.message),
  );
});

test('aliases are limited, counted where fragments are spread', () => {
  const check = queryLimits({ maxDepth: 10, maxCost: 5000, maxAliases: 30, maxTokens: 2000 });
  const document = parse(`
    query { a: item(id: "1") { ...A } b: item(id: "2") { ...A } }
    fragment A on Item { ${Array.from({ length: 15 }, (_, i) => `n${i}: name`).join(' ')} }
  `);
  assert.equal(measure(document).aliases, 32);
  assert.throws(
    () => check(document, partsOf(document).operation, schema, {}),
    (error: Error & { extensions?: Record<string, unknown> }) =>
      error.extensions?.code === 'TOO_MANY_ALIASES' &&
      error.message === 'the query has 32 aliased fields; the limit is 30',
  );
});
