import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNamedType,
  GraphQLError,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/*
 * Why hand-written, not GraphQL Armor's max-depth and cost-limit or graphql-query-complexity:
 * - Cost here multiplies a paged list's children by its `first`, which usually comes from a
 *   variable. GraphQL Armor's cost-limit weighs fields and depth only, so `reviews(first: 100)`
 *   would cost what `reviews(first: 1)` does.
 * - graphql-query-complexity can do it (an estimator reading `args.first`), but it walks the
 *   whole operation on every request. Measured on the reviews subgraph's schema with the
 *   gateway's `_entities` fetch for a page (a script run beside this file, with
 *   graphql-query-complexity 1.x on the same graphql 16, median of 5 x 20,000 calls, not kept in
 *   the repository): 55.8 us a request, against 0.16 us here once the verdict is cached and
 *   about 10 us for the first walk. Every page is checked four times (the gateway and each
 *   subgraph fetch), and a page costs a few ms of CPU in all, so its 0.2 ms would show.
 * - Depth leaves out introspection fields, so the Playground's schema query (depth 15) passes
 *   at depth 10; introspection has a depth limit of its own ({@link MAX_INTROSPECTION_DEPTH})
 *   and counts in the cost. The refusals keep the project's codes and messages (400, the limit
 *   named).
 * - Every walk follows each fragment once per parent type (memoised), so a document of
 *   fragments spreading fragments costs what it would written out, in time linear in its text.
 *   The text itself is bounded by the parser's token limit (`maxTokens`, graphql-js's own).
 */

/** The limits every GraphQL endpoint enforces before executing anything. */
export interface QueryLimits {
  /** Deepest allowed field nesting (introspection fields not counted: see MAX_INTROSPECTION_DEPTH). */
  maxDepth: number;
  /** Highest allowed cost: one per field, times `first` for paged lists (see operationCost). */
  maxCost: number;
  /** Most aliased fields an operation may hold, fragments counted where they are spread. */
  maxAliases: number;
  /** Most lexical tokens a document may have: the parser stops there (graphql-js `maxTokens`). */
  maxTokens: number;
}

/** The deepest introspection allowed: graphql-js's own schema query is 15 deep (its TypeRef chain). */
export const MAX_INTROSPECTION_DEPTH = 20;

type Fragments = Record<string, FragmentDefinitionNode>;

/** The largest page any list field serves (docs/contract.md). */
const MAX_FIRST = 100;

function fragmentsOf(document: DocumentNode): Fragments {
  const fragments: Fragments = {};
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  return fragments;
}

/**
 * How deep the operation's fields nest, introspection fields not counted (they have their own
 * limit: {@link introspectionDepth}). Every fragment spread counts where it stands; a fragment's
 * depth is worked out once (`memo`), so the walk is linear in the document however often a
 * fragment is spread. `seen` guards against cycles (which validation refuses anyway).
 */
export function operationDepth(
  selectionSet: SelectionSetNode,
  fragments: Fragments,
  seen: ReadonlySet<string> = new Set(),
  memo: Map<string, number> = new Map(),
): number {
  return selectionDepth(selectionSet, fragments, false, seen, memo);
}

/**
 * The depth of the operation's introspection (`__schema`, `__type`): the deepest of them, each
 * counted from its own field, every field below it counted.
 */
export function introspectionDepth(selectionSet: SelectionSetNode, fragments: Fragments): number {
  let deepest = 0;
  const memo = new Map<string, number>();
  visitFields(selectionSet, fragments, (field) => {
    if (isIntrospection(field.name.value))
      deepest = Math.max(
        deepest,
        1 + (field.selectionSet ? selectionDepth(field.selectionSet, fragments, true, new Set(), memo) : 0),
      );
  });
  return deepest;
}

/** `__schema` and `__type`: `__typename` is metadata, free and shallow. */
const isIntrospection = (name: string) => name.startsWith('__') && name !== '__typename';

function selectionDepth(
  selectionSet: SelectionSetNode,
  fragments: Fragments,
  introspection: boolean,
  seen: ReadonlySet<string>,
  memo: Map<string, number>,
): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!introspection && selection.name.value.startsWith('__')) continue;
      const inner = selection.selectionSet
        ? selectionDepth(selection.selectionSet, fragments, introspection, seen, memo)
        : 0;
      deepest = Math.max(deepest, 1 + inner);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragments, introspection, seen, memo));
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      if (!fragment || seen.has(name)) continue;
      const depth = once(memo, name, () =>
        selectionDepth(fragment.selectionSet, fragments, introspection, new Set([...seen, name]), memo),
      );
      deepest = Math.max(deepest, depth);
    }
  }
  return deepest;
}

/** `memo`'s value for `key`, computed the first time it is asked for. */
function once(memo: Map<string, number>, key: string, compute: () => number): number {
  let value = memo.get(key);
  if (value === undefined) memo.set(key, (value = compute()));
  return value;
}

/** Calls `visit` with every field the operation selects, each fragment's fields once. */
function visitFields(
  selectionSet: SelectionSetNode,
  fragments: Fragments,
  visit: (field: FieldNode) => void,
  visited: Set<string> = new Set(),
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      visit(selection);
      if (selection.selectionSet) visitFields(selection.selectionSet, fragments, visit, visited);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      visitFields(selection.selectionSet, fragments, visit, visited);
    } else if (!visited.has(selection.name.value) && fragments[selection.name.value]) {
      visited.add(selection.name.value);
      visitFields(fragments[selection.name.value]!.selectionSet, fragments, visit, visited);
    }
  }
}

/**
 * How many aliased fields the operation holds as it runs: an aliased field inside a fragment
 * counts each time the fragment is spread (memoised per fragment, as depth is).
 */
export function operationAliases(
  selectionSet: SelectionSetNode,
  fragments: Fragments,
  seen: ReadonlySet<string> = new Set(),
  memo: Map<string, number> = new Map(),
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) count++;
      if (selection.selectionSet) count += operationAliases(selection.selectionSet, fragments, seen, memo);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += operationAliases(selection.selectionSet, fragments, seen, memo);
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      if (!fragment || seen.has(name)) continue;
      count += once(memo, name, () =>
        operationAliases(fragment.selectionSet, fragments, new Set([...seen, name]), memo),
      );
    }
  }
  return count;
}

function numberOf(value: ValueNode | undefined, variables: Record<string, unknown>): number | undefined {
  if (!value) return undefined;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const given = variables[value.name.value];
    (variables as VariableReads)[READS]?.add(value.name.value);
    return typeof given === 'number' ? given : undefined;
  }
  return undefined;
}

/**
 * What one `__schema` selection costs on top of its fields: its answer is the whole schema,
 * whatever it selects. At the default limit of 5000 the Playground's schema query (about 1,150
 * with its fields) passes, and five copies of it in one operation do not.
 */
export const SCHEMA_INTROSPECTION_COST = 1000;

/**
 * The operation's cost: every field counts 1, and a field taking `first` multiplies what it
 * selects by `first` (the argument, its variable, or the schema's default). So
 * `items(first: 100) { edges { node { reviews(first: 100) { ... } } } }` costs over 10,000
 * while an item page costs about 200. Introspection fields count like any other, `__schema`
 * {@link SCHEMA_INTROSPECTION_COST} more; `__typename` is free.
 *
 * Every fragment spread costs what its fragment costs, where it stands: the same as the query
 * with its fragments written out. A fragment's cost under one parent type is worked out once
 * (`memo`, for one set of variables), so the walk stays linear in the document even where the
 * inlined form would be exponentially large.
 */
export function operationCost(
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType | undefined,
  schema: GraphQLSchema,
  fragments: Fragments,
  variables: Record<string, unknown>,
  seen: ReadonlySet<string> = new Set(),
  memo: Map<string, number> = new Map(),
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name === '__typename') continue;
      const field = fieldOf(schema, parent, name);
      const firstArgument = field?.args.find((arg) => arg.name === 'first');
      const given = numberOf(selection.arguments?.find((arg) => arg.name.value === 'first')?.value, variables);
      // above 100 the resolver refuses `first` itself, with the clearer message: count at most 100
      const multiplier = Math.min(
        MAX_FIRST,
        Math.max(1, given ?? (typeof firstArgument?.defaultValue === 'number' ? firstArgument.defaultValue : 1)),
      );
      const inner = selection.selectionSet
        ? operationCost(
            selection.selectionSet,
            field ? getNamedType(field.type) : undefined,
            schema,
            fragments,
            variables,
            seen,
            memo,
          )
        : 0;
      cost += 1 + multiplier * inner + (name === '__schema' ? SCHEMA_INTROSPECTION_COST : 0);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
      cost += operationCost(selection.selectionSet, type ?? parent, schema, fragments, variables, seen, memo);
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      if (!fragment || seen.has(name)) continue;
      const type = schema.getType(fragment.typeCondition.name.value) ?? parent;
      cost += once(memo, `${name}\0${type?.name ?? ''}`, () =>
        operationCost(fragment.selectionSet, type, schema, fragments, variables, new Set([...seen, name]), memo),
      );
    }
  }
  return cost;
}

/** A field of an object or interface type, introspection's root fields included. */
function fieldOf(
  schema: GraphQLSchema,
  parent: GraphQLNamedType | undefined,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (name === '__schema') return SchemaMetaFieldDef;
  if (name === '__type') return TypeMetaFieldDef;
  return parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
}

const READS = Symbol('variables read');
type VariableReads = Record<string, unknown> & { [READS]?: Set<string> };

/** What the limits found for one operation of one document: cost per value of the variables it read. */
interface Verdict {
  depth: number;
  introspectionDepth: number;
  aliases: number;
  /** The variables the cost depends on (those passed as `first`), in a fixed order. */
  costVariables: string[];
  /** Cost by the JSON of those variables' values; bounded, since clients choose the values. */
  costs: Map<string, number>;
}

const MAX_COSTS_PER_OPERATION = 64;

function rootType(schema: GraphQLSchema, operation: OperationDefinitionNode) {
  return operation.operation === 'mutation'
    ? schema.getMutationType()
    : operation.operation === 'subscription'
      ? schema.getSubscriptionType()
      : schema.getQueryType();
}

const refuse = (message: string, code: string, details: Record<string, number>) =>
  new GraphQLError(message, { extensions: { code, ...details, http: { status: 400 } } });

/** Throws the refusal (a GraphQLError with code and 400) when an operation is over a limit. */
export type LimitsCheck = (
  document: DocumentNode,
  operation: OperationDefinitionNode,
  schema: GraphQLSchema,
  variables: Record<string, unknown>,
) => void;

/**
 * Refuses, with 400 and a message naming the limit, any operation too deep or too costly.
 *
 * The verdict is kept per parsed document (Apollo, and the subgraphs' lean query path, hand the
 * same DocumentNode back for a query they have seen) and operation: depth once, cost once per
 * value of the variables that feed a `first`. A repeated page query costs a lookup, not a walk
 * of its tree. `onAnalysis` is told each time a tree is walked (for /metrics, and the test that
 * keeps this cache honest).
 */
export function queryLimits(limits: QueryLimits, onAnalysis: () => void = () => {}): LimitsCheck {
  const verdicts = new WeakMap<DocumentNode, Map<string, Verdict>>();
  return (document, operation, schema, variables) => {
    let byOperation = verdicts.get(document);
    if (!byOperation) verdicts.set(document, (byOperation = new Map()));
    const operationKey = operation.name?.value ?? '';
    let verdict = byOperation.get(operationKey);
    let fragments: Fragments | undefined;
    if (!verdict) {
      onAnalysis();
      fragments = fragmentsOf(document);
      verdict = {
        depth: operationDepth(operation.selectionSet, fragments),
        introspectionDepth: introspectionDepth(operation.selectionSet, fragments),
        aliases: operationAliases(operation.selectionSet, fragments),
        costVariables: [],
        costs: new Map(),
      };
      byOperation.set(operationKey, verdict);
    }
    if (verdict.depth > limits.maxDepth) {
      throw refuse(`query depth ${verdict.depth} exceeds the limit of ${limits.maxDepth}`, 'QUERY_TOO_DEEP', {
        depth: verdict.depth,
        maxDepth: limits.maxDepth,
      });
    }
    if (verdict.introspectionDepth > MAX_INTROSPECTION_DEPTH) {
      throw refuse(
        `introspection depth ${verdict.introspectionDepth} exceeds the limit of ${MAX_INTROSPECTION_DEPTH}`,
        'QUERY_TOO_DEEP',
        { depth: verdict.introspectionDepth, maxDepth: MAX_INTROSPECTION_DEPTH },
      );
    }
    if (verdict.aliases > limits.maxAliases) {
      throw refuse(
        `the query has ${verdict.aliases} aliased fields; the limit is ${limits.maxAliases}`,
        'TOO_MANY_ALIASES',
        { aliases: verdict.aliases, maxAliases: limits.maxAliases },
      );
    }
    const costKey = JSON.stringify(verdict.costVariables.map((name) => variables[name] ?? null));
    let cost = verdict.costs.get(costKey);
    if (cost === undefined) {
      if (fragments === undefined) onAnalysis();
      const reads: VariableReads = Object.assign(Object.create(null) as object, variables, {
        [READS]: new Set<string>(),
      });
      cost = operationCost(
        operation.selectionSet,
        rootType(schema, operation) ?? undefined,
        schema,
        fragments ?? fragmentsOf(document),
        reads,
      );
      const read = [...reads[READS]!].sort();
      // the first walk learns which variables matter; the key is remade from exactly those
      if (read.join() !== verdict.costVariables.join()) verdict.costVariables = read;
      if (verdict.costs.size >= MAX_COSTS_PER_OPERATION) verdict.costs.clear();
      verdict.costs.set(JSON.stringify(read.map((name) => variables[name] ?? null)), cost);
    }
    if (cost > limits.maxCost)
      throw refuse(
        `query cost ${cost} exceeds the limit of ${limits.maxCost} (each field costs 1, times "first" for paged lists)`,
        'QUERY_TOO_COSTLY',
        { cost, maxCost: limits.maxCost },
      );
  };
}

/** {@link queryLimits} as an Apollo Server plugin: checked once the operation is resolved, before it runs. */
export function queryLimitsPlugin<Context extends BaseContext>(check: LimitsCheck): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, schema, request }) {
          if (operation) check(document, operation, schema, request.variables ?? {});
        },
      };
    },
  };
}
