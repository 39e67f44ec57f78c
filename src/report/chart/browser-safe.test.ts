// The shared chart code and the page's modules run in the browser too (bundled by scripts/bundle-page.ts):
// no Node module, global or Buffer may creep in, or the page would break while Node tests stay green.
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const PAGE = ['app.ts', 'chart-view.ts', 'dom.ts', 'prepared.ts', 'summary-table.ts'];

it('src/report/chart and the page modules use no Node API', () => {
  const files = [
    ...readdirSync(new URL('./', import.meta.url))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => new URL(`./${f}`, import.meta.url)),
    ...PAGE.map((f) => new URL(`../html/${f}`, import.meta.url)),
  ];
  expect(files.length).toBeGreaterThan(PAGE.length + 5);
  const offending = files.flatMap((url) => {
    const code = readFileSync(url, 'utf8');
    return /from ['"]node:|\bBuffer\b|\bprocess\.|require\(/.test(code) ? [url.pathname] : [];
  });
  expect(offending).toEqual([]);
});
