import {
  isEnumType,
  isNonNullType,
  isSpecifiedScalarType,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/** Whether variables are surely valid for an operation: true, or false when only graphql-js's coercion can tell. */
export type VariablesCheck = (variables: Record<string, unknown>) => boolean;

const MAX_INT = 2 ** 31 - 1;
const MIN_INT = -(2 ** 31);

/**
 * A check of an operation's variables made once, for the kinds a page query declares: the
 * built-in scalars and enums, nullable or not, with or without a default. It answers true only
 * for what graphql-js's `getVariableValues` accepts (an ID as a string or an integer, an Int in
 * 32 bits, an enum by one of its names, a null only where the type allows it, a value left out
 * only where it has a default or may be null); for anything else (an input object, a list, a
 * custom scalar, a value to refuse) it answers false, and the caller runs graphql-js's coercion,
 * which says why. `packages/http/test/variables.test.ts` holds the two to agreeing.
 */
export function variablesCheck(schema: GraphQLSchema, operation: OperationDefinitionNode): VariablesCheck {
  const checks: { name: string; nonNull: boolean; hasDefault: boolean; valid: (value: unknown) => boolean }[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    const nonNull = type !== undefined && isNonNullType(type);
    const valid =
      type && leafCheck((nonNull ? (type as { ofType: GraphQLNamedType }).ofType : type) as GraphQLNamedType);
    if (!valid) return () => false;
    checks.push({ name: definition.variable.name.value, nonNull, hasDefault: Boolean(definition.defaultValue), valid });
  }
  return (variables) => {
    for (const { name, nonNull, hasDefault, valid } of checks) {
      if (!Object.hasOwn(variables, name)) {
        if (nonNull && !hasDefault) return false;
        continue;
      }
      const value = variables[name];
      if (value === null || value === undefined) {
        if (nonNull) return false;
        continue;
      }
      if (!valid(value)) return false;
    }
    return true;
  };
}

/** What graphql-js's `parseValue` of a built-in scalar or an enum takes; undefined for any other type. */
function leafCheck(type: GraphQLNamedType): ((value: unknown) => boolean) | undefined {
  if (isEnumType(type)) return (value) => typeof value === 'string' && type.getValue(value) !== undefined;
  if (!isSpecifiedScalarType(type)) return undefined;
  switch (type.name) {
    case 'Int':
      return (value) => Number.isInteger(value) && (value as number) <= MAX_INT && (value as number) >= MIN_INT;
    case 'Float':
      return (value) => typeof value === 'number' && Number.isFinite(value);
    case 'String':
      return (value) => typeof value === 'string';
    case 'Boolean':
      return (value) => typeof value === 'boolean';
    case 'ID':
      return (value) => typeof value === 'string' || Number.isInteger(value);
    default:
      return undefined;
  }
}
