import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from './main.js';
import { useTempDir } from '../../test/support/temp-dir.js';

const dir = useTempDir('tblens-compare-');

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
    const file = join(dir(), 'sweep.html');
    const r = await cli(['compare', 'fixtures/kohya/sweep', '-o', file, '--title', 'sweep', '--x', 'samples', '--smoothing', '0.8']);
    expect(r.code).toBe(0);
    const html = await readFile(file, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    const data = JSON.parse(/id="tblens-data">([^<]*)</.exec(html)![1]);
    expect(data.options).toEqual({ x: 'samples', smoothing: 0.8, ignoreOutliers: true });
    expect(data.runs.map((r: { name: string; batch: number }) => [r.name, r.batch])).toEqual([
      ['adafactor', 1],
      ['adamw', 1],
      ['lion', 4],
      ['prodigy', 1],
    ]);
    expect(html).toContain('d3js.org');
    // What was written, on stderr (stdout stays free for a pipe): the file, its runs and charts, its size.
    const mb = (Buffer.byteLength(html) / 1e6).toFixed(1);
    expect(r.stderr).toBe(`tblens: wrote ${file} (4 runs, ${data.charts.length} charts, ${mb} MB)\n`);
    expect(data.charts.length).toBeGreaterThan(0);
  });

  it('says nothing on stderr when the output goes to stdout', async () => {
    const r = await cli(['compare', 'fixtures/kohya/sweep', '--format', 'markdown']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const md = join(dir(), 'sweep.md');
    const f = await cli(['compare', 'fixtures/kohya/sweep', '--format', 'markdown', '-o', md]);
    expect(f.stderr).toMatch(new RegExp(`^tblens: wrote ${md.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(4 runs, \\d+ kB\\)\n$`));
  });

  it('writes static SVG charts for the tags asked for', async () => {
    const file = join(dir(), 'sweep.svg');
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
    // Its ss_* metadata has alpha 16 over dim 8: a flagged setting (a notice on this healthy run), marked as on the page.
    expect(lion).toContain('⚙ config (alpha\\_over\\_dim');
    const nan = r.stdout.split('\n').find((l) => l.startsWith('| nan-late |'))!;
    expect(nan).toContain('| failed |');
    expect(nan).toContain('nan\\_loss');
  });

  it('exits 2 with one line for bad input', async () => {
    const cases: [string[], RegExp][] = [
      [['compare', 'fixtures/kohya/no-such-dir', '--format', 'markdown'], /no-such-dir: no such file or directory/],
      [['compare', 'fixtures/kohya/sweep', '--format', 'markdown', '--batch', 'lion'], /--batch "lion": expected RUN=N/],
      [
        ['compare', 'fixtures/kohya/sweep', '--format', 'markdown', '--batch', 'lino=4'],
        /--batch lino=4: no run is named so \(runs: adafactor, adamw, lion, prodigy\)/,
      ],
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

describe('tblens compare across trainers', () => {
  const paths = [
    'fixtures/trainers/onetrainer/healthy',
    'fixtures/trainers/ai-toolkit/healthy',
    'fixtures/trainers/simpletuner/healthy',
    'fixtures/trainers/diffusers-dreambooth/healthy',
  ];

  it("names each run's trainer in the page data and the Markdown table; each summary is on its own trainer's loss", async () => {
    const file = join(dir(), 'trainers.html');
    expect((await cli(['compare', ...paths, '-o', file])).code).toBe(0);
    const html = await readFile(file, 'utf8');
    const data = JSON.parse(/id="tblens-data">([^<]*)</.exec(html)![1]) as {
      runs: { trainer: string; params: Record<string, string>; summary: { lossTag: string; optimizer: string | null } }[];
    };
    expect(data.runs.map((r) => [r.trainer, r.summary.lossTag, r.summary.optimizer])).toEqual([
      // OneTrainer's own smoothed loss, as kohya's loss/average is shown for kohya runs.
      ['OneTrainer', 'smooth_loss/train_step', 'ADAMW'],
      ['ai-toolkit', 'loss', 'adamw8bit'],
      ['SimpleTuner', 'train_loss', 'adamw_bf16'],
      ['diffusers example script', 'loss', null],
    ]);
    expect(data.runs[0].params.trainer).toBe('OneTrainer');
    // Their loss tags differ, so one derived chart comes first with every run's per-step loss on it.
    const charts = (JSON.parse(/id="tblens-data">([^<]*)</.exec(html)![1]) as { charts: { tag: string; derived?: string; series: { run: number }[] }[] })
      .charts;
    expect(charts[0].tag).toBe('training loss');
    expect(charts[0].series.map((s) => s.run)).toEqual([0, 1, 2, 3]);
    expect(charts[0].derived).toMatch(/\(OneTrainer loss\/train_step, ai-toolkit loss, SimpleTuner train_loss, diffusers example script loss\)/);
    const md = await cli(['compare', ...paths, '--format', 'markdown']);
    expect(md.code).toBe(0);
    const lines = md.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('| run |'))).toMatch(/^\| run \| verdict \| trainer \| optimizer \|/);
    expect(lines.find((l) => l.includes('OneTrainer'))).toMatch(/\| OneTrainer \| ADAMW \(weight\\_decay=0\.01\) \| 1e-4 \| 1 \|/);
  });

  it('a sweep of one trainer has no trainer column (it would repeat on every row)', async () => {
    const md = await cli(['compare', 'fixtures/kohya/sweep', '--format', 'markdown']);
    expect(md.stdout).not.toContain('| trainer |');
    const html = await cli(['compare', 'fixtures/kohya/sweep']);
    expect(html.stdout).not.toContain('"tag":"training loss"');
  });
});
