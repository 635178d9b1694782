// A subgraph fetch's body, made with the query text's JSON kept: the same bytes as
// JSON.stringify of the request, whatever the request holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { requestBody } from '../src/datasource.ts';

test("a fetch's body is JSON.stringify's, for any query, variables, operation name and extensions", () => {
  const request = fc.record(
    {
      query: fc.string({ unit: 'grapheme' }),
      variables: fc.dictionary(fc.string(), fc.jsonValue()),
      operationName: fc.string(),
      extensions: fc.dictionary(fc.string(), fc.jsonValue()),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(request, (value) => {
      const expected = JSON.stringify({
        query: value.query,
        variables: value.variables,
        operationName: value.operationName,
        extensions: value.extensions,
      });
      // twice: the second with the query's JSON from the cache
      assert.equal(requestBody(value as never), expected);
      assert.equal(requestBody(value as never), expected);
    }),
    { numRuns: 500 },
  );
});
