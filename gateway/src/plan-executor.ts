import type {
  Experimental_DidResolveQueryPlanCallback,
  GraphQLDataSource,
  GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { ERRORS, errorCodeDef } from '@apollo/federation-internals';
// Apollo's own helpers, so a merge and an error's path are made exactly as its executor makes them
import { generateHydratedPaths } from '@apollo/gateway/dist/executeQueryPlan.js';
import { deepMerge } from '@apollo/gateway/dist/utilities/deepMerge.js';
import type { LeanOperation } from '@supergraph-lab/http';
import {
  getNamedType,
  GraphQLError,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
  Kind,
  visit,
  BREAK,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type NamedTypeNode,
  type SelectionSetNode,
} from 'graphql';
import type { GatewayContext } from './datasource.ts';

type QueryPlan = Parameters<Experimental_DidResolveQueryPlanCallback>[0]['queryPlan'];
type PlanNode = NonNullable<QueryPlan['node']>;
type FetchNode = Extract<PlanNode, { kind: 'Fetch' }>;
type RequiresSelection = NonNullable<FetchNode['requires']>[number];

/** Where a plan node works: the data at a path of the answer being built. */
interface Cursor {
  path: (string | number)[];
  data: unknown;
  fullResult: Record<string, unknown>;
}

/**
 * A selection of the operation, resolved against the schema once: what shaping the merged
 * subgraph answers into the client's answer needs, with no lookup left for each request.
 */
type Shape =
  | { kind: 'typename'; responseName: string }
  | {
      kind: 'field';
      responseName: string;
      type: GraphQLOutputType;
      selections: Shape[] | undefined;
      /** Whether a leaf value may stand for this field's named type (undefined: not a leaf). */
      validLeaf: ((value: unknown) => boolean) | undefined;
      /** A leaf that is no list: a value is copied as it is once valid. */
      scalar: boolean;
    }
  | { kind: 'fragment'; typeCondition: GraphQLCompositeType | undefined; selections: Shape[] };

/** An operation whose plan the gateway runs itself. */
interface CompiledOperation {
  node: PlanNode | undefined;
  rootType: GraphQLCompositeType;
  shape: Shape[];
}

/** A subgraph's data source, as the gateway's buildService made it. */
export type DataSources = ReadonlyMap<string, GraphQLDataSource<GatewayContext>>;

/** The query plans Apollo made, and the lean path's runner of them. */
export interface CompiledPlans {
  /** ApolloGateway's `experimental_didResolveQueryPlan`: keeps each plan Apollo's executor resolved. */
  record: Experimental_DidResolveQueryPlanCallback;
  /**
   * Runs an operation's plan without Apollo's executor when Apollo has planned it and it is of
   * the kinds run here; undefined otherwise, and the caller hands it to Apollo's executor.
   */
  run(operation: LeanOperation<GatewayContext>): Promise<ExecutionResult> | undefined;
  /** Lean operations run here (`compiled`) and left to Apollo's executor (`apollo`), since start. */
  readonly runs: { compiled: number; apollo: number };
}

/**
 * The gateway's own runner of cached query plans, for the lean path's page queries.
 *
 * Apollo's executor does three things per request that depend only on the operation: it rebuilds
 * the operation from the document (`operationFromDocument`, to shape the answer), looks up every
 * field's type and directives again while it shapes, and wraps each step in OpenTelemetry spans
 * and trace nodes nobody records here. Together they were about a quarter of the gateway's CPU per
 * page (docs/federation.md, "Where the project's gateway spends"). This runner takes the plan
 * Apollo made for a document (the first request of each document runs through Apollo's executor,
 * which plans it and tells `record`), resolves the operation's selections against the schema once,
 * and then for each request does only what depends on it: the fetches, the merge and the shaping.
 *
 * It runs what the page queries are: Sequence, Parallel, Flatten and Fetch nodes with no data
 * rewrites, an operation with no `@skip`, `@include` or `@defer`. Anything else (a Condition or
 * Defer node, a rewrite, a request asking for the plan in its answer) stays with Apollo's executor,
 * each time. Its answers are Apollo's, field for field and error for error, null propagation and
 * the subgraphs' errors' paths included: `gateway/test/lean-queries.test.ts` compares them on the
 * running stack, `gateway/test/plan-executor.test.ts` with scripted subgraph answers.
 */
export function compiledPlans(dataSources: DataSources): CompiledPlans {
  const plans = perOperation<QueryPlan>();
  // null: compiled once, and found to be Apollo's executor's to run
  const compiled = perOperation<CompiledOperation | null>();

  const compiledFor = (operation: LeanOperation<GatewayContext>): CompiledOperation | null | undefined => {
    const known = compiled.get(operation.document, operation.operationName);
    if (known !== undefined) return known;
    const plan = plans.get(operation.document, operation.operationName);
    if (!plan) return undefined;
    const made = compile(plan, operation);
    compiled.set(operation.document, operation.operationName, made);
    return made;
  };

  const runs = { compiled: 0, apollo: 0 };
  return {
    runs,
    record({ queryPlan, requestContext }) {
      if (requestContext.document)
        plans.set(requestContext.document, requestContext.request.operationName ?? undefined, queryPlan);
    },
    run(operation) {
      const plan = operation.headers['apollo-query-plan-experimental'] === undefined && compiledFor(operation);
      if (!plan) {
        runs.apollo++;
        return undefined;
      }
      runs.compiled++;
      return runPlan(plan, operation, dataSources);
    },
  };
}

/** Values by document, then by the operation name sent: kept as long as the document is. */
function perOperation<T>() {
  const byDocument = new WeakMap<DocumentNode, Map<string | undefined, T>>();
  return {
    get: (document: DocumentNode, operationName: string | undefined) => byDocument.get(document)?.get(operationName),
    set(document: DocumentNode, operationName: string | undefined, value: T) {
      let byName = byDocument.get(document);
      if (!byName) byDocument.set(document, (byName = new Map()));
      byName.set(operationName, value);
    },
  };
}

/** The compiled form of a plan and its operation, or null when either holds what only Apollo's executor runs. */
function compile(
  plan: QueryPlan,
  { schema, document, operation }: LeanOperation<GatewayContext>,
): CompiledOperation | null {
  if (plan.node && !runnable(plan.node, schema)) return null;
  let directives = false;
  visit(document, {
    Directive() {
      directives = true;
      return BREAK;
    },
  });
  if (directives) return null;
  const rootType = schema.getQueryType();
  if (!rootType || operation.operation !== 'query') return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const shape = shapeOf(schema, fragments, [operation.selectionSet], rootType);
  return shape ? { node: plan.node, rootType, shape } : null;
}

/**
 * Whether every node of the plan is of a kind run here. An entity fetch's representations are
 * picked by type conditions that Apollo checks against the supergraph's schema; here they are
 * checked against the API schema, which agrees for a condition that is an object type in it (the
 * object's own __typename), so a plan with any other condition stays with Apollo.
 */
function runnable(node: PlanNode, schema: GraphQLSchema): boolean {
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return node.nodes.every((child) => runnable(child, schema));
    case 'Flatten':
      return runnable(node.node, schema);
    case 'Fetch':
      return (
        node.operationKind === 'query' &&
        !node.inputRewrites?.length &&
        !node.outputRewrites?.length &&
        !node.contextRewrites?.length &&
        objectConditionsOnly(node.requires ?? [], schema)
      );
    default:
      return false;
  }
}

function objectConditionsOnly(selections: readonly RequiresSelection[], schema: GraphQLSchema): boolean {
  return selections.every((selection) => {
    if (selection.kind === 'Field') return objectConditionsOnly(selection.selections ?? [], schema);
    const condition = selection.typeCondition && schema.getType(selection.typeCondition);
    return (!selection.typeCondition || isObjectType(condition)) && objectConditionsOnly(selection.selections, schema);
  });
}

/**
 * The selections resolved against the schema; null when one names what it does not know
 * (introspection). Repeated selections merge as `operationFromDocument` merges them for Apollo's
 * shaping, at the first one's place: a field by its response name (their selections together), an
 * inline fragment by its type condition, a named fragment by its name (once). So the answer's keys
 * come in Apollo's order, and its shaping stops where Apollo's does.
 */
function shapeOf(
  schema: GraphQLSchema,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  selectionSets: readonly SelectionSetNode[],
  parentType: GraphQLCompositeType,
): Shape[] | null {
  // in order of first appearance: each key's field nodes, or its fragment's type and selection sets
  const groups = new Map<
    string,
    | { kind: 'field'; nodes: FieldNode[] }
    | { kind: 'fragment'; typeCondition: NamedTypeNode | undefined; sets: SelectionSetNode[] }
  >();
  for (const selectionSet of selectionSets) {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = `field ${selection.alias?.value ?? selection.name.value}`;
        const group = groups.get(key);
        if (group?.kind === 'field') group.nodes.push(selection);
        else groups.set(key, { kind: 'field', nodes: [selection] });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const key = `on ${selection.typeCondition?.name.value ?? ''}`;
        const group = groups.get(key);
        if (group?.kind === 'fragment') group.sets.push(selection.selectionSet);
        else
          groups.set(key, { kind: 'fragment', typeCondition: selection.typeCondition, sets: [selection.selectionSet] });
      } else {
        const key = `spread ${selection.name.value}`;
        const fragment = fragments.get(selection.name.value);
        if (!fragment) return null;
        if (!groups.has(key))
          groups.set(key, { kind: 'fragment', typeCondition: fragment.typeCondition, sets: [fragment.selectionSet] });
      }
    }
  }
  const shapes: Shape[] = [];
  for (const group of groups.values()) {
    if (group.kind === 'fragment') {
      let typeCondition: GraphQLCompositeType | undefined;
      if (group.typeCondition) {
        const type = schema.getType(group.typeCondition.name.value);
        if (!type || !isCompositeType(type)) return null;
        typeCondition = type;
      }
      const nested = shapeOf(schema, fragments, group.sets, typeCondition ?? parentType);
      if (!nested) return null;
      shapes.push({ kind: 'fragment', typeCondition, selections: nested });
      continue;
    }
    const field = group.nodes[0]!;
    const responseName = field.alias?.value ?? field.name.value;
    if (field.name.value === '__typename') {
      shapes.push({ kind: 'typename', responseName });
      continue;
    }
    if (isAbstractType(parentType) && !isInterfaceType(parentType)) return null;
    const definition = parentType.getFields()[field.name.value];
    if (!definition) return null;
    const named = getNamedType(definition.type);
    let selections: Shape[] | undefined;
    if (field.selectionSet) {
      if (!isCompositeType(named)) return null;
      const nested = shapeOf(
        schema,
        fragments,
        group.nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : [])),
        named,
      );
      if (!nested) return null;
      selections = nested;
    }
    shapes.push({
      kind: 'field',
      responseName,
      type: definition.type,
      selections,
      validLeaf: selections ? undefined : leafCheck(schema, named),
      scalar: !selections && (isNonNullType(definition.type) ? definition.type.ofType : definition.type) === named,
    });
  }
  return shapes;
}

// federation-internals' isValidLeafValue, decided per type once
const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

function leafCheck(schema: GraphQLSchema, type: GraphQLNamedType): (value: unknown) => boolean {
  if (isEnumType(type)) return (value) => typeof value === 'string' && type.getValue(value) !== undefined;
  if (!isSpecifiedScalarType(type)) return () => true;
  const kind = type.name;
  return (value) => {
    if (typeof value === 'boolean') return kind === 'Boolean';
    if (typeof value === 'number' && Number.isFinite(value))
      return kind === 'Int' || kind === 'ID' ? INTEGER.test(String(value)) : kind === 'Float';
    if (typeof value === 'string') return kind !== 'Boolean' && kind !== 'Int' && kind !== 'Float';
    return false;
  };
}

/** What one request's run keeps. */
interface Run {
  operation: LeanOperation<GatewayContext>;
  dataSources: DataSources;
  errors: GraphQLError[];
}

async function runPlan(
  plan: CompiledOperation,
  operation: LeanOperation<GatewayContext>,
  dataSources: DataSources,
): Promise<ExecutionResult> {
  const run: Run = { operation, dataSources, errors: [] };
  const unfilteredData: Record<string, unknown> = Object.create(null);
  if (plan.node) await runNode(run, plan.node, { path: [], data: unfilteredData, fullResult: unfilteredData });
  const shaping: Shaping = { schema: operation.schema, errors: [], path: [] };
  let data: Record<string, unknown> | null;
  try {
    data = Object.create(null) as Record<string, unknown>;
    if (!applySelections(shaping, unfilteredData, plan.shape, data, plan.rootType)) data = null;
  } catch (error) {
    // a subgraph answer of the wrong shape: Apollo's executor answers its assertion alone
    return { errors: [new GraphQLError((error as Error).message, { originalError: error as Error })] };
  }
  const errors = run.errors;
  if (errors.length === 0 && shaping.errors.length > 0)
    return { extensions: { valueCompletion: shaping.errors }, data } as ExecutionResult;
  return errors.length === 0 ? { data } : { errors, data };
}

async function runNode(run: Run, node: PlanNode, cursor: Cursor | undefined): Promise<void> {
  if (!cursor) return;
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await runNode(run, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => runNode(run, child, cursor)));
      return;
    case 'Flatten':
      return runNode(run, node.node, moveIntoCursor(cursor, node.path));
    case 'Fetch':
      try {
        await runFetch(run, node, cursor);
      } catch (error) {
        // kept as thrown, as Apollo's executor keeps it; the lean path makes a GraphQLError of a
        // plain Error when it formats the answer, as Apollo Server does
        run.errors.push(error as GraphQLError);
      }
      return;
    default:
      throw new Error(`a ${node.kind} node cannot run here`);
  }
}

async function runFetch(run: Run, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const service = run.dataSources.get(fetch.serviceName);
  if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  const entities = (
    Array.isArray(cursor.data) ? cursor.data.filter((entity) => entity != null) : [cursor.data]
  ) as Record<string, unknown>[];
  if (entities.length < 1) return;
  const provided = run.operation.variables;
  const variables: Record<string, unknown> = Object.create(null);
  for (const name of fetch.variableUsages ?? []) {
    if (Object.hasOwn(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
  }
  if (!fetch.requires) {
    const received = await send(run, service, fetch, cursor, variables);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }
  const representations: Record<string, unknown>[] = [];
  const representationToEntity: number[] = [];
  entities.forEach((entity, index) => {
    const representation = selectRepresentation(run.operation.schema, entity, fetch.requires!);
    if (representation?.__typename) {
      representations.push(representation);
      representationToEntity.push(index);
    }
  });
  if (representations.length < 1) return;
  if ('representations' in variables) throw new Error(`Variables cannot contain key "representations"`);
  const received = await send(run, service, fetch, cursor, { ...variables, representations });
  if (!received) return;
  const receivedEntities = received._entities;
  if (!Array.isArray(receivedEntities)) throw new Error(`Expected "data._entities" in response to be an array`);
  if (receivedEntities.length !== representations.length)
    throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
  for (let i = 0; i < representations.length; i++) {
    const receivedEntity = receivedEntities[i] as Record<string, unknown> | null;
    const existingEntity = entities[representationToEntity[i]!]!;
    if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = existingEntity.__typename;
    deepMerge(existingEntity, receivedEntity);
  }
}

/** One fetch to its subgraph; its errors join the request's, with their paths in the client's answer. */
async function send(
  run: Run,
  service: GraphQLDataSource<GatewayContext>,
  fetch: FetchNode,
  cursor: Cursor,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown> | null | undefined> {
  const response = await service.process({
    kind: 'IncomingOperation',
    request: { query: fetch.operation, variables, operationName: fetch.operationName },
    incomingRequestContext: { operation: run.operation.operation },
    context: run.operation.contextValue,
    document: fetch.operationDocumentNode,
    pathInIncomingRequest: cursor.path,
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);
  if (response.errors) {
    // all converted before any is kept, as Apollo's executor does (an answer whose errors are not
    // a list fails the fetch as a whole)
    const pathOf = errorPaths(fetch, cursor);
    run.errors.push(...response.errors.map((error) => downstreamServiceError(error, fetch.serviceName, pathOf)));
  }
  return response.data as Record<string, unknown> | null | undefined;
}

/** Apollo's: a subgraph's error path as a path in the client's answer (an entity's index becomes the entity's path). */
function errorPaths(fetch: FetchNode, cursor: Cursor) {
  let hydrated: (string | number)[][] | undefined;
  return (path: readonly (string | number)[] | undefined): (string | number)[] | undefined => {
    if (fetch.requires && typeof path?.[1] === 'number') {
      if (!hydrated) {
        hydrated = [];
        generateHydratedPaths([], cursor.path, cursor.fullResult, hydrated);
      }
      return [...(hydrated[path[1]] ?? []), ...path.slice(2)];
    }
    return path ? [...cursor.path, ...path] : undefined;
  };
}

/** Apollo's: a subgraph's error as the gateway's, its code kept (DOWNSTREAM_SERVICE_ERROR when it had none) and the subgraph named. */
function downstreamServiceError(
  originalError: { message?: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> },
  serviceName: string,
  pathOf: (path: readonly (string | number)[] | undefined) => (string | number)[] | undefined,
): GraphQLError {
  const { message: given, extensions } = originalError;
  const message = given || `Error while fetching subquery from service "${serviceName}"`;
  const options = {
    originalError: originalError as Error,
    path: pathOf(originalError.path),
    extensions: { ...extensions, serviceName },
  };
  const codeDef = errorCodeDef(originalError as GraphQLError);
  if (!codeDef && extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

/** Apollo's `executeSelectionSet`: an entity's representation, the fields its key requires; null when one is missing. */
function selectRepresentation(
  schema: GraphQLSchema,
  source: Record<string, unknown> | null,
  selections: readonly RequiresSelection[],
): Record<string, unknown> | null {
  if (source === null) return null;
  const result: Record<string, unknown> = Object.create(null);
  for (const selection of selections) {
    if (selection.kind === 'Field') {
      const responseName = selection.alias ?? selection.name;
      const value = Object.hasOwn(source, responseName) ? source[responseName] : undefined;
      if (value === undefined) return null;
      const nested = selection.selections;
      if (Array.isArray(value))
        result[responseName] = value.map((element) =>
          nested ? selectRepresentation(schema, element, nested) : element,
        );
      else if (nested) result[responseName] = selectRepresentation(schema, value as Record<string, unknown>, nested);
      else result[responseName] = value;
    } else if (selection.typeCondition && isObjectOfType(schema, source, selection.typeCondition)) {
      deepMerge(result, selectRepresentation(schema, source, selection.selections));
    }
  }
  return result;
}

/** Apollo's `isObjectOfType` (dataRewrites): whether an object's __typename is, or implements, a type. */
function isObjectOfType(schema: GraphQLSchema, object: Record<string, unknown>, typeCondition: string): boolean {
  const typename = object.__typename;
  if (!typename || typeof typename !== 'string') return false;
  if (typename === typeCondition) return true;
  const type = schema.getType(typename);
  const condition = schema.getType(typeCondition);
  if (!type || !condition || !isAbstractType(condition)) return false;
  return (isObjectType(type) || isInterfaceType(type)) && schema.isSubType(condition, type);
}

type ResponsePath = readonly (string | number)[];

function moveIntoCursor(cursor: Cursor, path: ResponsePath): Cursor | undefined {
  const data = flattenAtPath(cursor.data, path, 0);
  return data ? { path: cursor.path.concat(path), data, fullResult: cursor.fullResult } : undefined;
}

function flattenAtPath(value: unknown, path: ResponsePath, at: number): unknown {
  if (at === path.length || value === undefined || value === null) return value;
  const current = path[at]!;
  if (current === '@') return (value as unknown[]).flatMap((element) => flattenAtPath(element, path, at + 1));
  if (typeof current !== 'string') throw new Error(`Unexpected ${typeof current} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${current}`);
  const object = value as Record<string, unknown>;
  return flattenAtPath(Object.hasOwn(object, current) ? object[current] : undefined, path, at + 1);
}

/** One request's shaping: Apollo's `computeResponse` over the compiled selections. */
interface Shaping {
  schema: GraphQLSchema;
  /** Errors of value completion (a null in a non-null field, a value of the wrong kind). */
  errors: GraphQLError[];
  path: (string | number)[];
}

/** Copies the selected fields from `input` into `output`; false when a null must bubble up to the parent. */
function applySelections(
  shaping: Shaping,
  input: Record<string, unknown>,
  selections: readonly Shape[],
  output: Record<string, unknown>,
  parentType: GraphQLCompositeType,
): boolean {
  for (const selection of selections) {
    if (selection.kind === 'typename') {
      if (output[selection.responseName] !== undefined) continue;
      let value = own(input, selection.responseName);
      if (value === null && selection.responseName !== '__typename') value = input.__typename ?? null;
      const type = typeof value === 'string' ? (shaping.schema.getType(value) ?? parentType) : parentType;
      if (!isObjectType(type)) return false;
      output[selection.responseName] = type.name;
      continue;
    }
    if (selection.kind === 'fragment') {
      const typename = input.__typename as string | undefined;
      if (typename && typeof typename !== 'string')
        throw new Error(`Got unexpected value for __typename: ${String(typename)}`);
      if (!conditionApplies(shaping.schema, selection.typeCondition, typename, parentType)) continue;
      if (!applySelections(shaping, input, selection.selections, output, selection.typeCondition ?? parentType))
        return false;
      continue;
    }
    if (selection.scalar) {
      // the common case, a scalar that is there and valid, without the general completion below
      if (output[selection.responseName] !== undefined) continue;
      const value = own(input, selection.responseName);
      if (value !== null && selection.validLeaf!(value)) {
        output[selection.responseName] = value;
        continue;
      }
    }
    shaping.path.push(selection.responseName);
    const completed = complete(
      shaping,
      output[selection.responseName],
      selection.type,
      own(input, selection.responseName),
      selection,
      parentType,
    );
    output[selection.responseName] = completed.value;
    shaping.path.pop();
    if (completed.invalid) return false;
  }
  return true;
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? (object[key] ?? null) : null;
}

function conditionApplies(
  schema: GraphQLSchema,
  condition: GraphQLCompositeType | undefined,
  typename: string | undefined,
  parentType: GraphQLCompositeType,
): boolean {
  if (!condition) return true;
  if (typename) {
    const type = schema.getType(typename);
    return !!type && isSubtype(schema, condition, type);
  }
  return isSubtype(schema, condition, parentType);
}

function isSubtype(schema: GraphQLSchema, type: GraphQLNamedType, maybeSubtype: GraphQLNamedType): boolean {
  if (type === maybeSubtype) return true;
  return (
    isAbstractType(type) &&
    (isObjectType(maybeSubtype) || isInterfaceType(maybeSubtype)) &&
    schema.isSubType(type, maybeSubtype)
  );
}

interface Completed {
  value: unknown;
  /** A null where the type allows none: the parent becomes null. */
  invalid?: boolean;
  /** An error was recorded beneath (so a null above it adds none of its own). */
  hasErrors?: boolean;
}

type FieldShape = Extract<Shape, { kind: 'field' }>;

/** Apollo's `updateOutputValue`: one value completed against its type, nulls propagated as GraphQL says. */
function complete(
  shaping: Shaping,
  outputValue: unknown,
  type: GraphQLOutputType,
  inputValue: unknown,
  field: FieldShape,
  parentType: GraphQLCompositeType,
): Completed {
  if (outputValue === null || (outputValue !== undefined && !field.selections)) return { value: outputValue };
  if (isNonNullType(type)) {
    const inner = complete(shaping, outputValue, type.ofType, inputValue, field, parentType);
    if (inner.value === null) {
      if (!inner.hasErrors)
        shaping.errors.push(
          invalid(
            shaping,
            `Cannot return null for non-nullable ${describeLast(shaping.path, type.ofType, parentType)}.`,
          ),
        );
      return { value: null, invalid: true, hasErrors: true };
    }
    return { value: inner.value };
  }
  if (inputValue === null) return { value: null };
  if (isListType(type)) {
    if (!Array.isArray(inputValue))
      throw new Error(
        `Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${String(type)}`,
      );
    const outputList = outputValue === undefined ? new Array<unknown>(inputValue.length).fill(undefined) : outputValue;
    if (!Array.isArray(outputList))
      throw new Error(
        `Invalid non-list value ${String(outputValue)} returned by subgraph for list type ${String(type)}`,
      );
    let nullify = false;
    let hasErrors = false;
    const value = outputList.map((element, index) => {
      shaping.path.push(index);
      const completed = complete(shaping, element, type.ofType, inputValue[index], field, parentType);
      shaping.path.pop();
      nullify ||= !!completed.invalid;
      hasErrors ||= !!completed.hasErrors;
      return completed.value;
    });
    return { value: nullify ? null : value, hasErrors };
  }
  if (isCompositeType(type)) {
    if (typeof inputValue !== 'object')
      throw new Error(
        `Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${String(type)}`,
      );
    const object = inputValue as Record<string, unknown>;
    const typename = object.__typename;
    if (typename !== undefined && typeof typename !== 'string')
      throw new Error(`Invalid non-string value ${String(typename)} for __typename at ${String(shaping.path)}`);
    let objectType: GraphQLCompositeType = type;
    if (typename) {
      const named = typeof typename === 'string' ? shaping.schema.getType(typename) : undefined;
      if (!named || !isCompositeType(named)) {
        shaping.errors.push(
          invalid(shaping, `Invalid __typename found for object at ${describeLast(shaping.path, type, parentType)}.`),
        );
        return { value: null, hasErrors: true };
      }
      objectType = named;
    }
    const output = (outputValue ?? Object.create(null)) as Record<string, unknown>;
    const ok = applySelections(shaping, object, field.selections!, output, objectType);
    return ok ? { value: output } : { value: null, hasErrors: true };
  }
  const valid = field.validLeaf!(inputValue);
  if (!valid)
    shaping.errors.push(invalid(shaping, `Invalid value found for ${describeLast(shaping.path, type, parentType)}.`));
  return { value: valid ? inputValue : null, hasErrors: !valid };
}

function invalid(shaping: Shaping, message: string): GraphQLError {
  return ERRORS.INVALID_GRAPHQL.err(message, { path: Array.from(shaping.path) });
}

function describeLast(
  path: readonly (string | number)[],
  type: GraphQLOutputType,
  parentType: GraphQLCompositeType,
): string {
  const last = path[path.length - 1];
  return typeof last === 'string'
    ? `field ${parentType.name}.${last}`
    : `array element of type ${String(type)} at index ${last}`;
}
