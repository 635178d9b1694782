import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNamedType,
  GraphQLError,
  isObjectType,
  Kind,
  type DocumentNode,
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
 * - Depth leaves out introspection fields, so the Playground's schema query passes at depth 10.
 *   The refusals keep the project's codes and messages (400, BAD_USER_INPUT, the limit named).
 */

/** The limits every GraphQL endpoint enforces before executing anything. */
export interface QueryLimits {
  /** Deepest allowed field nesting (introspection fields not counted). */
  maxDepth: number;
  /** Highest allowed cost: one per field, times `first` for paged lists (see operationCost). */
  maxCost: number;
}

type Fragments = Record<string, FragmentDefinitionNode>;

/** The largest page any list field serves (CONTRACT.md). */
const MAX_FIRST = 100;

function fragmentsOf(document: DocumentNode): Fragments {
  const fragments: Fragments = {};
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  return fragments;
}

/** How deep the operation's fields nest; fragments are followed (each at most once per path). */
export function operationDepth(
  selectionSet: SelectionSetNode,
  fragments: Fragments,
  seen: ReadonlySet<string> = new Set(),
): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      // introspection has its own switch; the Playground's schema query is deep by nature
      if (selection.name.value.startsWith('__')) continue;
      deepest = Math.max(
        deepest,
        1 + (selection.selectionSet ? operationDepth(selection.selectionSet, fragments, seen) : 0),
      );
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, operationDepth(selection.selectionSet, fragments, seen));
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      if (fragment && !seen.has(name))
        deepest = Math.max(deepest, operationDepth(fragment.selectionSet, fragments, new Set([...seen, name])));
    }
  }
  return deepest;
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
 * The operation's cost: every field counts 1, and a field taking `first` multiplies what it
 * selects by `first` (the argument, its variable, or the schema's default). So
 * `items(first: 100) { edges { node { reviews(first: 100) { ... } } } }` costs over 10,000
 * while an item page costs about 200.
 */
export function operationCost(
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType | undefined,
  schema: GraphQLSchema,
  fragments: Fragments,
  variables: Record<string, unknown>,
  seen: ReadonlySet<string> = new Set(),
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      const field = parent && isObjectType(parent) ? parent.getFields()[name] : undefined;
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
          )
        : 0;
      cost += 1 + multiplier * inner;
    } else {
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
      if (!fragment) continue;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        if (seen.has(selection.name.value)) continue;
        seen = new Set([...seen, selection.name.value]);
      }
      const type = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parent;
      cost += operationCost(fragment.selectionSet, type ?? parent, schema, fragments, variables, seen);
    }
  }
  return cost;
}

const READS = Symbol('variables read');
type VariableReads = Record<string, unknown> & { [READS]?: Set<string> };

/** What the limits found for one operation of one document: cost per value of the variables it read. */
interface Verdict {
  depth: number;
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
      verdict = { depth: operationDepth(operation.selectionSet, fragments), costVariables: [], costs: new Map() };
      byOperation.set(operationKey, verdict);
    }
    if (verdict.depth > limits.maxDepth) {
      throw refuse(`query depth ${verdict.depth} exceeds the limit of ${limits.maxDepth}`, 'QUERY_TOO_DEEP', {
        depth: verdict.depth,
        maxDepth: limits.maxDepth,
      });
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
