import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tblens-compare-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The real CLI in-process, its output streams captured. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('tblens compare', () => {
  it('writes one HTML file with the data, d3 and the chart code inside', async () => {
    const file = join(dir, 'sweep.html');
    const r = await cli(['compare', 'fixtures/kohya/sweep', '-o', file, '--title', 'sweep', '--x', 'samples', '--smoothing', '0.8']);
    expect(r.code).toBe(0);
    const html = await readFile(file, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    const data = JSON.parse(/id="tblens-data">([^<]*)</.exec(html)![1]);
    expect(data.options).toEqual({ x: 'samples', smoothing: 0.8, ignoreOutliers: true });
    expect(data.runs.map((r: { name: string; batch: number }) => [r.name, r.batch])).toEqual([['adafactor', 1], ['adamw', 1], ['lion', 4], ['prodigy', 1]]);
    expect(html).toContain('d3js.org');
  });

  it('writes static SVG charts for the tags asked for', async () => {
    const file = join(dir, 'sweep.svg');
    expect((await cli(['compare', 'fixtures/kohya/sweep', '--format', 'svg', '--tags', '^lr/', '-o', file])).code).toBe(0);
    const svg = await readFile(file, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toMatch(/>lr\/unet[ <]/);
    expect(svg).not.toContain('>loss/average<');
  });

  it('prints a Markdown table, with --batch overriding the metadata', async () => {
    const r = await cli(['compare', 'fixtures/kohya/sweep', 'fixtures/kohya/nan-late', '--format', 'markdown', '--batch', 'sweep/lion=2']);
    expect(r.code).toBe(0);
    const lion = r.stdout.split('\n').find((l) => l.startsWith('| sweep/lion |'))!;
    expect(lion.split(' | ')[4]).toBe('2');
    const nan = r.stdout.split('\n').find((l) => l.startsWith('| nan-late |'))!;
    expect(nan).toContain('| failed |');
    expect(nan).toContain('nan\\_loss');
  });

  it('exits 2 with one line for bad input', async () => {
    const cases: [string[], RegExp][] = [
      [['compare', 'fixtures/kohya/no-such-dir', '--format', 'markdown'], /no-such-dir: no such file or directory/],
      [['compare', 'fixtures/kohya/sweep', '--format', 'markdown', '--batch', 'lion'], /--batch "lion": expected RUN=N/],
      [['compare', 'fixtures/kohya/sweep', '--format', 'markdown', '--batch', 'lino=4'], /--batch lino=4: no run is named so \(runs: adafactor, adamw, lion, prodigy\)/],
      [['compare', 'fixtures/kohya/sweep', '--format', 'markdown', '--tags', '('], /--tags: not a valid regular expression/],
      [['compare', 'fixtures/kohya/sweep', '--format', 'markdown', '--smoothing', '1.5'], /--smoothing 1.5: expected a number from 0 to 0.999/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n').length).toBe(1);
    }
  });
});
