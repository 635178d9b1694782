// The supergraph's API schema executed in one process: each field runs the resolver of the
// subgraph that owns it, with that subgraph's per-request context. Where an entity crosses from
// one subgraph's fields to another's (Item from items to reviews), the owner resolves it from its
// key with its own __resolveReference, as the gateway's entity fetch would, only in process.
import { Supergraph } from '@apollo/federation-internals';
import {
  defaultFieldResolver,
  GraphQLError,
  isObjectType,
  isScalarType,
  Kind,
  parse,
  responsePathAsArray,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLScalarType,
  type GraphQLSchema,
} from 'graphql';
import type { RequestContext } from '@supergraph-lab/subgraph';

/** One subgraph as the monolith runs it: its SDL (who owns which field) and its resolvers. */
export interface ModuleSchema {
  name: string;
  sdl: string;
  resolvers: { [typeName: string]: object | undefined };
}

/** The monolith's GraphQL context: each subgraph's own, and the entities each has resolved this request. */
export interface MonolithContext extends RequestContext {
  subgraphs: Record<string, RequestContext>;
  /** An entity object's view in each subgraph (per request: a view is the subgraph's loaded row). */
  views: WeakMap<object, Map<string, unknown>>;
}

type Resolver = GraphQLFieldResolver<unknown, RequestContext>;
type ReferenceResolver = (reference: Record<string, unknown>, context: RequestContext, info: unknown) => unknown;

/** What each subgraph's SDL says: the fields it resolves per type (not @external), and each entity's key fields. */
function ownership(document: DocumentNode): { fields: Map<string, Set<string>>; keys: Map<string, string[]> } {
  const fields = new Map<string, Set<string>>();
  const keys = new Map<string, string[]>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const type = definition.name.value;
    const own = fields.get(type) ?? new Set<string>();
    for (const field of definition.fields ?? [])
      if (!field.directives?.some((directive) => directive.name.value === 'external')) own.add(field.name.value);
    fields.set(type, own);
    const key = definition.directives?.find((directive) => directive.name.value === 'key');
    const value = key?.arguments?.find((argument) => argument.name.value === 'fields')?.value;
    if (value?.kind === Kind.STRING) keys.set(type, value.value.split(/\s+/).filter(Boolean));
  }
  return { fields, keys };
}

/**
 * The API schema of `supergraphSdl` with every field resolved by its owning module. Fails at
 * start, naming the field, when a resolver in a module has no field in the schema.
 */
export function monolithSchema(supergraphSdl: string, modules: readonly ModuleSchema[]): GraphQLSchema {
  const schema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
  const owned = modules.map((module) => ({ module, ...ownership(parse(module.sdl)) }));
  // an entity more than one subgraph adds fields to: its fields need the owner's view of it
  const shared = (type: string) => owned.filter((one) => one.keys.has(type)).length > 1;
  for (const { module } of owned) {
    for (const [typeName, typeResolvers] of Object.entries(module.resolvers)) {
      const type = schema.getType(typeName);
      if (!type) throw new Error(`monolith: ${module.name} resolves ${typeName}, which the API schema lacks`);
      if (isScalarType(type)) Object.assign(type, scalarParts(typeResolvers as GraphQLScalarType));
      else if (!isObjectType(type)) throw new Error(`monolith: ${module.name} resolves ${typeName}, a ${type}`);
      for (const fieldName of Object.keys(typeResolvers ?? {})) {
        if (isScalarType(type) || fieldName.startsWith('__')) continue;
        if (!type.getFields()[fieldName])
          throw new Error(`monolith: ${module.name} resolves ${typeName}.${fieldName}, which the API schema lacks`);
      }
    }
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const owner = owned.find((one) => one.fields.get(type.name)?.has(field.name));
      if (!owner) throw new Error(`monolith: no subgraph resolves ${type.name}.${field.name}`);
      const typeResolvers = owner.module.resolvers[type.name] as Record<string, unknown> | undefined;
      const name = owner.module.name;
      const own = typeResolvers?.[field.name] as Resolver | undefined;
      const resolve = own ? reportedBy(name, own) : defaultFieldResolver;
      const key = owner.keys.get(type.name);
      const reference = typeResolvers?.__resolveReference as ReferenceResolver | undefined;
      field.resolve =
        key && reference && shared(type.name) && !key.includes(field.name)
          ? async (parent, args, context: MonolithContext, info) =>
              resolve(
                await viewOf(parent as Record<string, unknown>, type.name, key, name, reference, context, info),
                args,
                context.subgraphs[name]!,
                info,
              )
          : (parent, args, context: MonolithContext, info) => resolve(parent, args, context.subgraphs[name]!, info);
    }
  }
  return schema;
}

/** `parent` as subgraph `name` knows it: resolved once per request from its key, as an entity fetch would. */
function viewOf(
  parent: Record<string, unknown>,
  typeName: string,
  key: string[],
  name: string,
  resolveReference: ReferenceResolver,
  context: MonolithContext,
  info: unknown,
): unknown {
  let views = context.views.get(parent);
  if (!views) context.views.set(parent, (views = new Map()));
  if (views.has(name)) return views.get(name);
  // the representation a gateway would send: __typename and the key, as they go over the wire
  const representation: Record<string, unknown> = { __typename: typeName };
  for (const field of key) representation[field] = String(parent[field]);
  const view = reportedBy(name, (_, __, own, info) => resolveReference(representation, own, info))(
    parent,
    {},
    context.subgraphs[name]!,
    info as GraphQLResolveInfo,
  );
  views.set(name, view);
  return view;
}

/**
 * `resolve` whose errors read as the gateway passes a subgraph's on: at the field's path, with no
 * locations (they would point into the subgraph's query) and the subgraph named in `serviceName`.
 */
function reportedBy(serviceName: string, resolve: Resolver): Resolver {
  const fail = (error: unknown, info: GraphQLResolveInfo): never => {
    const original = error instanceof Error ? error : new Error(String(error));
    throw new GraphQLError(original.message, {
      path: responsePathAsArray(info.path),
      originalError: original,
      extensions: { ...(error instanceof GraphQLError ? error.extensions : {}), serviceName },
    });
  };
  return (parent, args, context, info) => {
    try {
      const result = resolve(parent, args, context, info);
      return result instanceof Promise ? result.catch((error: unknown) => fail(error, info)) : result;
    } catch (error) {
      return fail(error, info);
    }
  };
}

function scalarParts(scalar: GraphQLScalarType) {
  return { serialize: scalar.serialize, parseValue: scalar.parseValue, parseLiteral: scalar.parseLiteral };
}
