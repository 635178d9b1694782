// The compiled plan runner (gateway/src/plan-executor.ts) against Apollo's executor, on the real
// supergraph with data sources that answer from a script: the same operation with the same
// subgraph answers must give the same result, to the order of keys and errors. The script's
// answers include what a real subgraph should never send (a null in a non-null field, a wrong
// __typename, too few entities, errors that are not a list), where the two are easiest to part.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { gatewayExecutor } from '@supergraph-lab/http';
import {
  getNamedType,
  getOperationAST,
  GraphQLError,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  validate,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type SelectionSetNode,
} from 'graphql';
import type { GatewayContext } from '../src/datasource.ts';
import { compiledPlans } from '../src/plan-executor.ts';
import { composeSupergraph, readSubgraphSources } from '../src/supergraph.ts';

type Answer = Record<string, unknown> | Error;
type Script = (service: string, query: string, variables: Record<string, unknown>) => Answer;

let script: Script = () => ({ data: null });

const dataSources = new Map<string, GraphQLDataSource<GatewayContext>>();
const plans = compiledPlans(dataSources);
const gateway = new ApolloGateway({
  supergraphSdl: composeSupergraph(
    readSubgraphSources({ items: 'http://items', reviews: 'http://reviews', photos: 'http://photos' }),
  ),
  buildService: ({ name }) => {
    const source: GraphQLDataSource<GatewayContext> = {
      async process({ request }) {
        const answer = script(name, request.query!, structuredClone(request.variables ?? {}));
        if (answer instanceof Error) throw answer;
        return structuredClone(answer) as never;
      },
    };
    dataSources.set(name, source);
    return source;
  },
  experimental_didResolveQueryPlan: plans.record,
});
const loaded = await gateway.load();
const schema = loaded.schema;
const compiledOrApollo = gatewayExecutor<GatewayContext>(() => loaded.executor, console as never, plans.run);
const apolloOnly = gatewayExecutor<GatewayContext>(() => loaded.executor, console as never);

/** A result as the client would read it: errors as JSON (their class's fields), in order. */
function asText(result: unknown): string {
  const { errors, data, extensions } = (result ?? {}) as { errors?: unknown[]; data?: unknown; extensions?: unknown };
  const error = (e: unknown) => (e instanceof GraphQLError ? e.toJSON() : { message: (e as Error).message });
  return JSON.stringify({ errors: errors?.map(error), data, extensions });
}

/** Runs `query` compiled (after a first request lets Apollo plan it) and through Apollo's executor alone. */
async function bothWays(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  assert.deepEqual(validate(schema, document), [], query);
  const operation = (doc = parse(query)) => ({
    schema,
    query,
    document: doc,
    operation: getOperationAST(doc)!,
    operationName: undefined,
    variables,
    contextValue: { requestId: 'test', dependencies: {}, creates: {} } as unknown as GatewayContext,
    headers: {},
  });
  const run = async (execute: typeof apolloOnly, op: ReturnType<typeof operation>) => {
    try {
      return asText(await execute(op));
    } catch (error) {
      return `threw ${(error as Error).message}`;
    }
  };
  await run(compiledOrApollo, operation(document));
  const before = plans.runs.compiled;
  const compiled = await run(compiledOrApollo, operation(document));
  assert.equal(plans.runs.compiled, before + 1, `ran compiled: ${query}`);
  return { compiled, apollo: await run(apolloOnly, operation()) };
}

const item = (id: string, fields: Record<string, unknown> = {}) => ({
  __typename: 'Item',
  id,
  name: `item ${id}`,
  ...fields,
});

describe("the compiled plan runner answers as Apollo's executor does", () => {
  const cases: [string, string, Script][] = [
    [
      'repeated inline fragments merge at the first one, so keys keep their order',
      '{ item(id: "1") { ... on Item { name } id ... on Item { priceCents } } }',
      () => ({ data: { item: item('1', { priceCents: 5 }) } }),
    ],
    [
      'one field selected twice: both selections complete once, every error reported',
      '{ items { edges { node { priceCents } } edges { node { name } } } }',
      () => ({
        data: {
          items: {
            edges: [{ node: item('1', { name: null, priceCents: 5 }) }, { node: item('2', { priceCents: 'bad' }) }],
          },
        },
      }),
    ],
    [
      'a null bubbling to the root stops the shaping where Apollo stops',
      '{ items { pageInfo { endCursor } } item(id: "1") { name } items { edges { cursor } } }',
      () => ({
        data: { items: { pageInfo: { endCursor: null }, edges: [{ cursor: null }] }, item: item('1', { name: null }) },
      }),
    ],
    [
      'a __typename that is no string',
      '{ item(id: "1") { name } }',
      () => ({ data: { item: { __typename: null, id: '1', name: 'n' } } }),
    ],
    [
      "an entity fetch's errors that are not a list",
      '{ item(id: "1") { name reviewSummary { count } } }',
      (service, _query, variables) =>
        service === 'items'
          ? { data: { item: item('1') } }
          : { data: { _entities: (variables.representations as unknown[]).map(() => null) }, errors: 'oops' },
    ],
    [
      'too few entities, and errors pointing into the entities',
      '{ items { edges { node { name reviewSummary { count } photos { url } } } } }',
      (service, _query, variables) => {
        if (service === 'items') return { data: { items: { edges: [{ node: item('1') }, { node: item('2') }] } } };
        const representations = variables.representations as unknown[];
        if (service === 'reviews')
          return { data: { _entities: representations.slice(1).map(() => ({ reviewSummary: { count: 1 } })) } };
        return {
          data: { _entities: representations.map(() => ({ photos: null })) },
          errors: [{ message: 'no photos', path: ['_entities', 1, 'photos'], extensions: { code: 'NOT_FOUND' } }],
        };
      },
    ],
    [
      'a subgraph that throws, and one error with no message',
      '{ item(id: "1") { name reviewSummary { count } photos { url } } }',
      (service) => {
        if (service === 'items') return { data: { item: item('1') }, errors: [{ message: '', path: ['item', 'x'] }] };
        if (service === 'reviews')
          return new GraphQLError('subgraph "reviews" is unavailable', {
            extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
          });
        return { data: { _entities: [{ photos: [{ url: 'u' }, null] }] } };
      },
    ],
  ];
  for (const [name, query, answers] of cases) {
    test(name, async () => {
      script = answers;
      const { compiled, apollo } = await bothWays(query);
      assert.equal(compiled, apollo);
    });
  }

  test('random queries over random answers, some of them wrong', async () => {
    // mulberry32 from a text's hash: the same numbers every run, and for a fetch, the same answer
    // each time the same request is sent (the compiled run and Apollo's must see one answer)
    let seed = 0;
    const reseed = (text: string) => {
      seed = 2166136261;
      for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619);
    };
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const selection = (type: GraphQLObjectType, depth: number): string => {
      const parts: string[] = [];
      for (let i = 0, n = 1 + Math.floor(random() * 4); i < n; i++) {
        const x = random();
        if (x < 0.1) parts.push(pick(['__typename', 't: __typename']));
        else if (x < 0.2) parts.push(`... on ${type.name} { ${selection(type, depth)} }`);
        else {
          const field = pick(Object.values(type.getFields()));
          const named = getNamedType(field.type);
          const args = field.args.some((arg) => arg.name === 'id') ? `(id: "${1 + Math.floor(random() * 3)}")` : '';
          const alias = random() < 0.15 ? `${pick(['a', 'b'])}: ` : '';
          if (!isObjectType(named)) parts.push(`${alias}${field.name}${args}`);
          else if (depth < 3) parts.push(`${alias}${field.name}${args} { ${selection(named, depth + 1)} }`);
        }
      }
      return parts.join(' ') || '__typename';
    };
    const WRONG = 0.1;
    const value = (type: GraphQLOutputType, set: SelectionSetNode | undefined): unknown => {
      if (random() < WRONG / 2) return null;
      if (isNonNullType(type)) return value(type.ofType, set);
      if (isListType(type)) {
        if (random() < WRONG / 4) return 'not a list';
        return Array.from({ length: Math.floor(random() * 3) }, () => value(type.ofType, set));
      }
      if (isObjectType(type)) return random() < WRONG / 4 ? 7 : object(type, set!);
      if (random() < WRONG / 2) return pick([12.5, true, 'x']);
      if (isEnumType(type)) return pick(type.getValues()).name;
      return (
        ({ Int: 3, Float: 1.5, Boolean: false, ID: '2' } as Record<string, unknown>)[getNamedType(type).name] ?? 's'
      );
    };
    const object = (type: GraphQLObjectType, set: SelectionSetNode): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const node of set.selections) {
        if (node.kind === Kind.INLINE_FRAGMENT) Object.assign(out, object(type, node.selectionSet));
        if (node.kind !== Kind.FIELD || random() < WRONG / 4) continue;
        const key = node.alias?.value ?? node.name.value;
        if (node.name.value === '__typename') out[key] = random() < WRONG / 2 ? pick(['Nope', 'Review']) : type.name;
        else out[key] = value(type.getFields()[node.name.value]!.type, node.selectionSet);
      }
      return out;
    };
    script = (service, query, variables) => {
      reseed(`${service} ${query} ${JSON.stringify(variables)}`);
      if (random() < WRONG / 3) return new GraphQLError(`subgraph "${service}" is unavailable`);
      const root = (parse(query).definitions[0] as { selectionSet: SelectionSetNode }).selectionSet;
      const representations = variables.representations as { __typename: string }[] | undefined;
      let data: unknown;
      if (representations) {
        const entity = (root.selections[0] as { selectionSet: SelectionSetNode }).selectionSet;
        const fields = (entity.selections[0] as { selectionSet: SelectionSetNode }).selectionSet;
        const entities = representations.map((rep) =>
          random() < WRONG / 2
            ? null
            : { __typename: rep.__typename, ...object(schema.getType(rep.__typename) as GraphQLObjectType, fields) },
        );
        data = { _entities: random() < WRONG / 4 ? entities.slice(1) : entities };
      } else data = object(schema.getQueryType()!, root);
      if (random() >= WRONG) return { data };
      const path = representations ? ['_entities', Math.floor(random() * 3), 'x'] : ['item'];
      return {
        data,
        errors: [{ message: 'refused', path, extensions: { code: pick(['NOT_FOUND', 'INVALID_GRAPHQL']) } }],
      };
    };
    let compared = 0;
    for (let i = 0; i < 400; i++) {
      reseed(`query ${i}`);
      const query = `{ ${selection(schema.getQueryType()!, 0)} }`;
      if (validate(schema, parse(query)).length) continue;
      const { compiled, apollo } = await bothWays(query);
      assert.equal(compiled, apollo, query);
      compared++;
    }
    assert.ok(compared > 250, `${compared} queries compared`);
  });
});
