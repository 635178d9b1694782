// A reporter for Node's test runner (`--test-reporter=./scripts/test-summary.mjs`): one JSON line
// at the end with each test file's passed, failed and skipped tests and its time in tests.
// scripts/run-tests.mjs prints it as the table that ends `npm test`.
import path from 'node:path';

/**
 * Counts per file: a test is counted once (a suite's tests, not the suite); a suite skipped as a
 * whole counts as one skipped; a suite whose hook failed, or a file that fails outside any test
 * (an import that throws), as one failed. `ms`: the file's top-level tests and suites, as the runner timed them.
 */
export default async function* summary(source) {
  const files = new Map();
  const fileOf = (data) => {
    const name = data.file ? path.relative(process.cwd(), data.file) : '(no file)';
    if (!files.has(name)) files.set(name, { passed: 0, failed: 0, skipped: 0, ms: 0, failures: [] });
    return files.get(name);
  };
  for await (const event of source) {
    const { type, data } = event;
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    const file = fileOf(data);
    if (data.nesting === 0) file.ms += data.details?.duration_ms ?? 0;
    const suite = data.details?.type === 'suite';
    // a suite that failed on its own (a hook), not only through its tests, is a failure too
    const suiteFailed = suite && type === 'test:fail' && data.details.error?.failureType !== 'subtestsFailed';
    if (data.skip !== undefined || data.todo !== undefined) file.skipped++;
    else if (suite && !suiteFailed) continue;
    else if (type === 'test:pass') file.passed++;
    else {
      file.failed++;
      file.failures.push(data.name);
    }
  }
  yield `${JSON.stringify({ files: Object.fromEntries(files) })}\n`;
}
