// What `npm pack` ships (#15: "npm pack --dry-run lists no test, bench or script files"; "every runtime
// dependency is used"). The listing comes from `npm pack --dry-run --json --ignore-scripts`: without
// --ignore-scripts npm runs `prepare` (npm run build), which deletes dist/ under the tests that run on it
// at the same time (load-worker, diagnose-check). CI's `npm ci` builds dist/ first; without a build only
// bin/ is listed, and the checks that need dist/ are skipped and say so.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importsOf, packageName, productFiles } from './support/imports.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const built = existsSync(join(ROOT, 'dist/src/index.js'));

/** Test-support module names (today in test/support/; never shipped, wherever they end up). */
const SUPPORT_NAMES =
  /^(craft|craft-[\w-]+|test-helpers?|test-fixtures|detect-fixtures|fixtures|chromium|evaluation|follow-helpers|bundle-page-setup)\.(js|ts|d\.ts|cjs|mjs)$/;

/** Why a packed path should not ship, or undefined when it may. */
export function notShipped(path: string): string | undefined {
  const parts = path.split('/');
  const name = parts[parts.length - 1];
  if (/\.(test|bench)\./.test(name)) return 'a test or bench file';
  if (/\.(map|tsbuildinfo)$/.test(name)) return 'a build by-product';
  const top = parts[0] === 'dist' ? parts[1] : parts[0];
  if (['test', 'bench', 'scripts', 'fixtures', 'test-artifacts', 'reports', 'demo-out'].includes(top)) return `under ${top}/`;
  if (parts.some((p) => ['support', 'fixtures', '__fixtures__', 'test-support'].includes(p))) return 'in a test-support folder';
  if (parts[0] === 'dist' && SUPPORT_NAMES.test(name)) return 'a test-support module';
  if (!(path.startsWith('bin/') || path.startsWith('dist/src/') || /^(package\.json|README(\.md)?|LICEN[CS]E(\.\w+)?|CHANGELOG(\.md)?)$/i.test(path))) {
    return 'outside bin/ and dist/src/';
  }
  return undefined;
}

function packList(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [pack] = JSON.parse(out) as { files: { path: string }[] }[];
  return pack.files.map((f) => f.path).sort();
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };

describe('npm pack', () => {
  const files = packList();

  it('ships no test, bench, script or test-support file', () => {
    expect(files.flatMap((f) => (notShipped(f) ? [`${f}: ${notShipped(f)}`] : []))).toEqual([]);
    expect(files).toContain('bin/tblens.js');
    expect(files).toContain('package.json');
  });

  it.skipIf(!built)('ships the built library (dist/src/; skipped without `npm run build`)', () => {
    expect(files).toContain('dist/src/index.js');
    expect(files).toContain('dist/src/index.d.ts');
    expect(files).toContain('dist/src/cli/main.js');
    expect(files).toContain('dist/src/report/html/page-app.js');
    expect(files).toContain('dist/src/events/tensorboard.proto');
  });

  it('every product module under src/ is shippable (no test support left in src/)', () => {
    const modules = productFiles(join(ROOT, 'src')).map(
      (f) =>
        'dist/' +
        f
          .slice(ROOT.length + 1)
          .split('\\')
          .join('/')
          .replace(/\.ts$/, '.js'),
    );
    expect(modules.flatMap((m) => (notShipped(m) ? [`${m}: ${notShipped(m)}`] : []))).toEqual([]);
  });

  it('every runtime dependency is imported by product code in src/', () => {
    const imported = new Set(
      productFiles(join(ROOT, 'src')).flatMap((f) =>
        importsOf(readFileSync(f, 'utf8'))
          .filter((s) => !s.startsWith('.'))
          .map(packageName),
      ),
    );
    expect(Object.keys(pkg.dependencies ?? {}).filter((d) => !imported.has(d))).toEqual([]);
  });
});

describe('the pack check fails when it should (synthetic paths)', () => {
  it('names why a path should not ship', () => {
    expect(notShipped('dist/src/runs/load-run.js')).toBeUndefined();
    expect(notShipped('bin/tblens.js')).toBeUndefined();
    expect(notShipped('README.md')).toBeUndefined();
    expect(notShipped('dist/src/runs/discover.test.js')).toBe('a test or bench file');
    expect(notShipped('dist/src/runs/discover.test.d.ts')).toBe('a test or bench file');
    expect(notShipped('dist/bench/reader.bench.js')).toBe('a test or bench file');
    expect(notShipped('dist/bench/run.js')).toBe('under bench/');
    expect(notShipped('dist/scripts/demo.js')).toBe('under scripts/');
    expect(notShipped('dist/test/support/cli.js')).toBe('under test/');
    expect(notShipped('dist/src/report/html/support/chromium.js')).toBe('in a test-support folder');
    expect(notShipped('dist/src/weights/craft.js')).toBe('a test-support module');
    expect(notShipped('dist/src/detect/test-fixtures.d.ts')).toBe('a test-support module');
    expect(notShipped('dist/src/runs/follow/test-helpers.js')).toBe('a test-support module');
    expect(notShipped('dist/src/report/html/chromium.js')).toBe('a test-support module');
    expect(notShipped('dist/src/detect/evaluation.js')).toBe('a test-support module');
    expect(notShipped('dist/src/index.js.map')).toBe('a build by-product');
    expect(notShipped('src/index.ts')).toBe('outside bin/ and dist/src/');
  });
});
