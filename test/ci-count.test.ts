import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// scripts/ci-count.js prints CI's final line; .ci/run passes npm run lint's exit code so a lint failure counts.
const dir = mkdtempSync(join(tmpdir(), 'tblens-ci-count-'));
const report = join(dir, 'vitest.json');
writeFileSync(report, JSON.stringify({ numPassedTests: 3, numFailedTests: 0, numPendingTests: 0, testResults: [] }));
const count = (...args: string[]) =>
  execFileSync(process.execPath, ['scripts/ci-count.js', report, ...args], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .at(-1);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/ci-count.js', () => {
  it('counts the tests alone when lint passed or was not given', () => {
    expect(count()).toBe('tests: 3 passed, 0 failed');
    expect(count('--lint-status=0')).toBe('tests: 3 passed, 0 failed');
  });
  it('counts a failed lint as one more failure', () => {
    expect(count('--lint-status=1')).toBe('tests: 3 passed, 1 failed');
  });
});
