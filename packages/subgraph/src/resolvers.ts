import type { GraphQLFieldResolver, GraphQLScalarType } from 'graphql';

/**
 * A subgraph's resolver map, typed by its request context: the shape buildSubgraphSchema takes
 * (Apollo's GraphQLResolverMap, which @apollo/subgraph exports only from a dist path).
 */
export interface ResolverMap<Context> {
  [typeName: string]:
    | {
        [fieldName: string]:
          | GraphQLFieldResolver<any, Context>
          | {
              requires?: string;
              resolve?: GraphQLFieldResolver<any, Context>;
              subscribe?: GraphQLFieldResolver<any, Context>;
            };
      }
    | GraphQLScalarType
    | { [enumValue: string]: string | number };
}
