// Prints CI's one summary line, `tests: N passed, N failed`, from vitest's JSON report.
// Kept as a file (not `node -e '…'` inside .ci/run): an apostrophe in an inline comment once ended
// the shell's quoting and CI died with a syntax error after every test had passed.
import { readFileSync } from 'node:fs';

// Usage: node scripts/ci-count.js [report.json] [--lint-status=N]; a non-zero lint status (npm run lint's
// exit code, which .ci/run runs before the tests) counts as one more failure.
const args = process.argv.slice(2);
const reportPath = args.find((a) => !a.startsWith('--')) ?? 'test-artifacts/vitest.json';
const lintStatus = Number(args.find((a) => a.startsWith('--lint-status='))?.slice('--lint-status='.length) ?? 0);
let passed = 0;
let failed;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(reportPath, 'utf8'));
  // A failed file with no failed test in it (an import or collection error) counts as one failure;
  // numFailedTestSuites also counts every describe block around a failed test, which would count it twice.
  const brokenFiles = (r.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
  passed = r.numPassedTests;
  failed = r.numFailedTests + brokenFiles;
  skipped = r.numPendingTests + (r.numTodoTests ?? 0);
} catch {
  failed = 1;
}
if (lintStatus !== 0) {
  console.log(`lint: npm run lint failed (exit ${lintStatus}), counted as 1 failed`);
  failed += 1;
}
console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
