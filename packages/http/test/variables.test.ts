// The lean gateway path's variables check against graphql-js's coercion: whatever it accepts,
// graphql-js accepts too, and it accepts a page query's usual variables (or it would save nothing).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { buildSchema, getOperationAST, getVariableValues, parse } from 'graphql';
import { variablesCheck } from '../src/variables.ts';

const schema = buildSchema(`
  scalar DateTime
  enum Sort { NEWEST HIGHEST }
  input Filter { min: Int }
  type Query { f(a: ID, b: Int, c: Float, d: String, e: Boolean, s: Sort, t: DateTime, i: Filter, l: [Int]): Int }
`);

const operation = (definitions: string) => getOperationAST(parse(`query Q(${definitions}) { f }`))!;

const DEFINITIONS = [
  '$id: ID!, $first: Int!, $after: String, $sort: Sort!',
  '$a: ID, $b: Int = 3, $c: Float!, $d: String! = "x", $e: Boolean',
  '$s: Sort = NEWEST, $b: Int',
  '$t: DateTime',
  '$i: Filter',
  '$l: [Int]',
];

const value = fc.oneof(
  fc.constantFrom(null, undefined, 'NEWEST', 'HIGHEST', 'newest', '', '12', 2 ** 31, -(2 ** 31), 2 ** 31 - 1, 1.5, NaN),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
);
const names = fc.constantFrom('id', 'first', 'after', 'sort', 'a', 'b', 'c', 'd', 'e', 's', 't', 'i', 'l');

test('what the check accepts, graphql-js accepts: any values for any of the definitions', () => {
  fc.assert(
    fc.property(fc.constantFrom(...DEFINITIONS), fc.dictionary(names, value), (definitions, variables) => {
      const op = operation(definitions);
      if (variablesCheck(schema, op)(variables)) {
        const { errors } = getVariableValues(schema, op.variableDefinitions ?? [], variables);
        assert.equal(errors, undefined, `${definitions} ${JSON.stringify(variables)}`);
      }
    }),
    { numRuns: 3000 },
  );
});

test("it accepts a page query's variables, and refuses to judge input objects, lists and custom scalars", () => {
  const page = variablesCheck(schema, operation(DEFINITIONS[0]!));
  assert.equal(page({ id: '42', first: 10, sort: 'NEWEST' }), true);
  assert.equal(page({ id: 42, first: 10, after: null, sort: 'HIGHEST' }), true);
  assert.equal(page({ id: '42', first: 'ten', sort: 'NEWEST' }), false);
  assert.equal(page({ id: '42', first: 10 }), false, 'a required variable left out');
  assert.equal(page({ id: '42', first: 10, sort: 'OLDEST' }), false);
  for (const definitions of DEFINITIONS.slice(3)) {
    assert.equal(variablesCheck(schema, operation(definitions))({}), false, definitions);
  }
});
