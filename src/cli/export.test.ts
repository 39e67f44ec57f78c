import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'tblens-export-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tblens export (CLI)', () => {
  it('writes the CSV of a real run to -o and exits 0', async () => {
    const out = join(dir, 'nan-late.csv');
    expect(await main(['export', 'fixtures/kohya/nan-late', '--tags', '^loss/current$', '-o', out])).toBe(0);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('run,tag,step,wall_time,value');
    expect(lines).toHaveLength(2001);
    expect(lines.filter((l) => l.endsWith(',NaN')).length).toBe(394);
  });

  it('an output it cannot write is one line and exit 2, not an internal error', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await main(['export', 'fixtures/kohya/sweep', '-o', join(dir, 'missing', 'x.csv')]);
      expect(code).toBe(2);
      const text = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(text).toMatch(/missing[\\/]x\.csv: cannot write the output \(ENOENT\)/);
    } finally {
      stderr.mockRestore();
    }
  });

  it('--strict turns damage into exit 1; a missing path is exit 2', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['export', 'fixtures/kohya/truncated', '--strict', '-o', join(dir, 't.csv')])).toBe(1);
      expect(await main(['export', 'fixtures/kohya/truncated', '-o', join(dir, 't.csv')])).toBe(0);
      expect(await main(['export', join(dir, 'nope'), '-o', join(dir, 'n.csv')])).toBe(2);
    } finally {
      stderr.mockRestore();
    }
  });
});
