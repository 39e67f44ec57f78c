// Parity with TensorBoard: fixtures/expected/*.csv.gz hold what TensorBoard's own loader plus the
// data server's preemption rule give for the copied fixture roots (rows taken from
// shared/fixtures/expected). tblens export must equal them row for row, numbers compared as numbers.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadLogdirs } from './load-logdir.js';
import { writeExport } from '../report/export.js';

async function exportCsv(root: string): Promise<string> {
  const loaded = await loadLogdirs([root]);
  if (!loaded.ok) throw new Error(loaded.error);
  const chunks: string[] = [];
  await writeExport(
    loaded.roots[0].runs.map((run) => ({ name: run.name, run })),
    'csv',
    {
      write: async (t) => void chunks.push(t),
      close: async () => {},
    },
  );
  return chunks.join('');
}

function parseCsv(text: string): string[][] {
  // Fixture names and tags contain no quotes or commas; a quoted field would fail the header check.
  return text
    .trimEnd()
    .split('\n')
    .map((l) => l.split(','));
}

function sameNumber(a: string, b: string): boolean {
  const x = Number(a);
  const y = Number(b);
  return x === y || (Number.isNaN(x) && Number.isNaN(y) && a.toLowerCase() === b.toLowerCase());
}

function compare(actual: string[][], expected: string[][]): string[] {
  const problems: string[] = [];
  if (actual.length !== expected.length) problems.push(`row count ${actual.length} vs expected ${expected.length}`);
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n && problems.length < 10; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = a[0] === e[0] && a[1] === e[1] && sameNumber(a[2], e[2]) && sameNumber(a[3], e[3]) && sameNumber(a[4], e[4]);
    if (!ok) problems.push(`row ${i}: ${a.join(',')} vs expected ${e.join(',')}`);
  }
  return problems;
}

describe('parity with TensorBoard on real files', () => {
  for (const name of ['kohya', 'wild']) {
    it(`${name}: export equals TensorBoard row for row`, async () => {
      const expected = parseCsv(gunzipSync(readFileSync(`fixtures/expected/${name}.csv.gz`)).toString('utf8'));
      const actual = parseCsv(await exportCsv(`fixtures/${name}`));
      expect(actual[0]).toEqual(['run', 'tag', 'step', 'wall_time', 'value']);
      expect(expected.length).toBeGreaterThan(1000);
      expect(compare(actual, expected)).toEqual([]);
    });
  }
});
