// The comparison page driven in real Chromium (Debian's, via playwright-core): the acceptance.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPageData, type CompareOptions, type CompareRunInput } from '../compare/compare-data.js';
import { collectCompareInputs } from '../compare/compare-input.js';
import { CHROMIUM_MISSING, hasChromium, launchChromium } from '../../../test/support/chromium.js';
import { renderComparePage } from './page.js';
import { lossStats } from '../chart/loss-stats.js';
import { smoothTensorBoard } from '../chart/smoothing.js';
import { seriesFromArrays, type Series } from '../../runs/series.js';
import type { Run } from '../../runs/types.js';
import { scalarRun } from '../../../test/support/scalar-run.js';
import { columnFormat } from '../chart/format.js';

const available = hasChromium();
if (!available) console.warn(`tblens: ${CHROMIUM_MISSING}`);

const HOSTILE = '</script><img src=x onerror=alert(1)>';
const OPTIONS: CompareOptions = { title: 'four optimizers', x: 'step', smoothing: 0.6, generator: 'tblens test' };

const collected = new Map<string, ReturnType<typeof collectCompareInputs>>();

async function pageFor(paths: string[], rename?: (name: string) => string): Promise<string> {
  const key = paths.join('\n');
  if (!collected.has(key)) collected.set(key, collectCompareInputs(paths));
  const c = await collected.get(key)!;
  if (!c.ok) throw new Error(c.error);
  const inputs = c.inputs.map((i) => ({ ...i, name: rename ? rename(i.name) : i.name }));
  return renderComparePage(buildPageData(inputs, OPTIONS));
}

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
  dialogs: string[];
}

/**
 * Issue 9.9: finite values at float32's edge (±3.4e38) and NaN/±Inf wall times, in a short series, a
 * long (bucket-summarised) one and an epoch-indexed one.
 */
function extremeRun(): Run {
  const series = (tag: string, n: number, value: (i: number) => number, wall: (i: number) => number): [string, Series] => {
    const steps = Float64Array.from({ length: n }, (_, i) => i + 1);
    return [
      tag,
      seriesFromArrays(
        tag,
        steps,
        Float64Array.from({ length: n }, (_, i) => value(i)),
        Float64Array.from({ length: n }, (_, i) => wall(i)),
      ),
    ];
  };
  const t0 = 1_795_960_000;
  const big = 3.4e38;
  const extreme = (i: number) => (i % 50 === 7 ? big : i % 50 === 19 ? -big : i % 97 === 3 ? NaN : 0.1 + 0.01 * Math.sin(i));
  const badClock = (i: number) => (i % 40 === 5 ? NaN : i % 40 === 9 ? Infinity : i % 40 === 13 ? -Infinity : t0 + i);
  return scalarRun('extreme', [
    series('loss/current', 300, extreme, badClock),
    series('loss/average', 9000, extreme, badClock),
    series(
      'loss/epoch',
      8,
      (i) => (i === 2 ? big : i === 5 ? -big : 0.2),
      (i) => (i === 1 ? NaN : i === 3 ? Infinity : t0 + 40 * i),
    ),
    series('lr/unet', 300, (i) => (i === 10 ? big : 1e-4), badClock),
  ]);
}

/** Last absolute point of a path's `d` (our paths use M/L only, plus `l0,0` dots). */
function lastX(d: string): number {
  const points = [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)];
  return Number(points[points.length - 1][1]);
}

describe.skipIf(!available)(available ? 'comparison page in Chromium' : `comparison page in Chromium — SKIPPED: ${CHROMIUM_MISSING}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync('test-artifacts', { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(html: string): Promise<Opened> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const opened: Opened = { page, errors: [], requests: [], dialogs: [] };
    page.on('console', (m) => {
      if (m.type() === 'error') opened.errors.push(m.text());
    });
    page.on('pageerror', (e) => opened.errors.push(e.message));
    page.on('dialog', (d) => {
      opened.dialogs.push(d.message());
      void d.dismiss();
    });
    // Nothing may leave the page: every request other than data:/about: is recorded and refused.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('data:') || url.startsWith('about:')) return route.continue();
      opened.requests.push(url);
      return route.abort();
    });
    await page.setContent(html, { waitUntil: 'load' });
    await page.waitForSelector('body[data-drawn]');
    return opened;
  }

  /** The sweep's page, opened, with the inputs it was built from and the summary table's column keys in order. */
  async function openSweepTable(): Promise<Opened & { inputs: CompareRunInput[]; keys: (string | null)[] }> {
    const c = await collectCompareInputs(['fixtures/kohya/sweep']);
    if (!c.ok) throw new Error(c.error);
    const opened = await open(await renderComparePage(buildPageData(c.inputs, OPTIONS)));
    const keys = await opened.page.locator('#summary th').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-key')));
    return { ...opened, inputs: c.inputs, keys };
  }

  it('four-optimizer sweep: charts per tag, a line per run, toggles, samples axis, smoothing slider', async () => {
    const { page, errors, requests } = await open(await pageFor(['fixtures/kohya/sweep']));
    const tags = ['loss/average', 'loss/current', 'loss/epoch', 'lr/d*lr', 'lr/textencoder', 'lr/unet'];
    for (const tag of tags) await expect(page.locator(`figure[data-tag="${tag}"]`).count()).resolves.toBe(1);
    const chart = page.locator('figure[data-tag="loss/average"]');
    for (const run of ['adafactor', 'adamw', 'lion', 'prodigy']) {
      await expect(chart.locator(`path[data-run="${run}"][data-series="smoothed"]`).count()).resolves.toBe(1);
      await expect(chart.locator(`path[data-run="${run}"][data-series="raw"]`).count()).resolves.toBe(1);
    }
    const lion = chart.locator('path[data-run="lion"][data-series="smoothed"]');
    const adamw = chart.locator('path[data-run="adamw"][data-series="smoothed"]');

    // On the step axis Lion (batch 4) stops at a quarter of the others…
    const stepLion = lastX((await lion.getAttribute('d'))!);
    const stepAdamw = lastX((await adamw.getAttribute('d'))!);
    expect(stepLion).toBeLessThan(stepAdamw * 0.35);
    // …on samples seen it ends where they end.
    await page.click('button[data-x="samples"]');
    expect(Math.abs(lastX((await lion.getAttribute('d'))!) - lastX((await adamw.getAttribute('d'))!))).toBeLessThanOrEqual(1);
    await page.screenshot({ path: 'test-artifacts/compare-sweep-samples.png', fullPage: true });

    // The smoothing slider changes the line.
    const before = await adamw.getAttribute('d');
    await page.locator('#smoothing').fill('0.95');
    await page.waitForFunction(
      (d) => document.querySelector('figure[data-tag="loss/average"] path[data-run="adamw"][data-series="smoothed"]')?.getAttribute('d') !== d,
      before,
    );
    expect(await adamw.getAttribute('d')).not.toBe(before);

    // A legend toggle hides the run's lines in every chart, and brings them back.
    await page.click('.legend .chip[data-run="lion"]');
    await expect(lion.isVisible()).resolves.toBe(false);
    await expect(page.locator('path[data-run="lion"]:visible').count()).resolves.toBe(0);
    await page.click('.legend .chip[data-run="lion"]');
    await expect(lion.isVisible()).resolves.toBe(true);

    // The tooltip lists every run at the hovered x.
    const box = (await chart.locator('svg').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await expect(page.locator('#tooltip tr').count()).resolves.toBe(5);

    await page.screenshot({ path: 'test-artifacts/compare-sweep.png', fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('every x axis places every run of the sweep (metadata gives batch, epoch length and clock)', async () => {
    const { page, errors } = await open(await pageFor(['fixtures/kohya/sweep']));
    for (const axis of ['epoch', 'relative', 'wall', 'samples', 'step']) {
      await page.click(`button[data-x="${axis}"]`);
      for (const tag of ['loss/average', 'loss/epoch', 'lr/unet']) {
        const ds = await page.locator(`figure[data-tag="${tag}"] path[data-series="smoothed"]`).evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? ''));
        expect(ds.length, `${axis} ${tag}`).toBe(4);
        for (const d of ds) expect(d.length, `${axis} ${tag}`).toBeGreaterThan(20);
      }
      expect((await page.locator('figure .axis-note').allTextContents()).join(' ')).not.toMatch(/not on this axis/);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('broken runs: NaN/Inf markers and the findings are on the curves', async () => {
    const { page, errors, requests } = await open(await pageFor(['fixtures/kohya/explode', 'fixtures/kohya/nan-late', 'fixtures/kohya/resumed']));
    await expect(page.locator('figure[data-tag="loss/current"] path.nonfinite[data-run="nan-late"]').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('figure[data-tag="loss/current"] .finding[data-run="explode"][data-kind="explosion"]').count()).resolves.toBe(1);
    await expect(page.locator('figure[data-tag="loss/current"] .finding[data-run="nan-late"][data-kind="nan_loss"]').count()).resolves.toBe(1);
    await expect(page.locator('.finding[data-run="resumed"][data-kind="restart"]').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('#summary tbody tr[data-run="nan-late"] td').nth(1).textContent()).resolves.toBe('failed');
    await page.screenshot({ path: 'test-artifacts/compare-broken.png', fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it(`a run named ${HOSTILE} renders as text`, async () => {
    const html = await pageFor(['fixtures/kohya/sweep'], (name) => (name === 'lion' ? HOSTILE : name));
    const { page, errors, requests, dialogs } = await open(html);
    await expect(page.locator('.legend .chip .name').allTextContents()).resolves.toContain(HOSTILE);
    await expect(page.locator('img').count()).resolves.toBe(0);
    const paths = await page.evaluate(
      (name) => Array.from(document.querySelectorAll('path[data-series="smoothed"]')).filter((p) => p.getAttribute('data-run') === name).length,
      HOSTILE,
    );
    expect(paths).toBe(6); // every chart but Prodigy's lr/d*lr, and the effective lr chart
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it(`a run whose settings lint flagged gets ⚙ with the rules in its tooltip; a config key ${HOSTILE} stays text`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tblens-page-config-'));
    try {
      cpSync('fixtures/kohya/sweep/adamw', join(dir, 'adamw'), { recursive: true });
      cpSync('fixtures/kohya/sweep/lion', join(dir, 'lion'), { recursive: true });
      // The GUI's TOML beside adamw's LoRA (its log directory is …-20261129140106): weight_decay far too high and a hostile unknown key.
      const toml =
        'optimizer_type = "AdamW8bit"\noptimizer_args = ["weight_decay=5"]\nlearning_rate = 1e-4\n"' + HOSTILE.replace(/"/g, '\\"') + 'learning_rte" = 1\n';
      writeFileSync(join(dir, 'adamw', 'config_lora-20261129-140100.toml'), toml);
      const c = await collectCompareInputs([dir]);
      if (!c.ok) throw new Error(c.error);
      const { page, errors, requests, dialogs } = await open(await renderComparePage(buildPageData(c.inputs, OPTIONS)));
      const mark = page.locator('#summary tbody tr[data-run="adamw"] td.runname .settings-mark');
      await expect(mark.textContent()).resolves.toBe('⚙');
      const title = (await mark.getAttribute('title')) ?? '';
      expect(title).toContain('weight_decay_high (optimizer_args): notice');
      expect(title).toContain(`unknown_key (${HOSTILE}learning_rte)`);
      await expect(page.locator('#summary tbody tr[data-run="adamw"] td.runname').textContent()).resolves.toBe('adamw ⚙');
      await expect(page.locator('img').count()).resolves.toBe(0);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('extreme values and damaged wall times: every line drawn inside the plot, no NaN, no page error on any axis or hover', async () => {
    const data = buildPageData(
      [
        { name: 'extreme', run: extremeRun() },
        { name: 'normal', run: extremeRun() },
      ],
      OPTIONS,
    );
    const { page, errors, requests } = await open(await renderComparePage(data));
    const axes = await page.locator('#x-axis button:not([disabled])').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-x') ?? ''));
    expect(axes).toEqual(['step', 'samples', 'epoch', 'relative', 'wall']);
    for (const axis of axes) {
      await page.click(`button[data-x="${axis}"]`);
      const charts = page.locator('figure.chart');
      for (let c = 0; c < (await charts.count()); c++) {
        const svg = charts.nth(c).locator('svg');
        const box = (await svg.boundingBox())!;
        for (const f of [0.05, 0.3, 0.5, 0.7, 0.95]) await page.mouse.move(box.x + box.width * f, box.y + box.height * 0.5);
        const { width, height } = { width: box.width, height: box.height };
        const ds = await svg.locator('path').evaluateAll((ps) => ps.map((p) => `${p.getAttribute('d') ?? ''} ${p.getAttribute('transform') ?? ''}`));
        const tag = await charts.nth(c).getAttribute('data-tag');
        for (const d of ds) {
          expect(d, `${axis} ${tag}`).not.toMatch(/NaN|Infinity|e[+-]?\d/);
          for (const m of d.matchAll(/[MLml](-?[\d.]+),(-?[\d.]+)/g)) {
            // The plot plus PLOT_MARGIN (10) plot sizes each side, in the plot's own coordinates.
            expect(Math.abs(Number(m[1])), `${axis} ${tag} x`).toBeLessThanOrEqual(11 * width);
            expect(Math.abs(Number(m[2])), `${axis} ${tag} y`).toBeLessThanOrEqual(11 * height);
          }
        }
        // The lines keep drawing past the extremes: more than one segment's worth of points.
        const smoothed = await charts
          .nth(c)
          .locator('path[data-series="smoothed"]')
          .evaluateAll((ps) => ps.map((p) => (p.getAttribute('d') ?? '').split(/[ML]/).length));
        for (const n of smoothed) expect(n, `${axis} ${tag}`).toBeGreaterThan(tag === 'loss/epoch' ? 3 : 20);
      }
    }
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('the table follows the smoothing slider (final and min loss from the shared smoothing)', async () => {
    const { inputs, page, errors, keys } = await openSweepTable();
    const cell = (key: string) => page.locator('#summary tbody tr[data-run="adamw"] td').nth(keys.indexOf(key)).textContent();
    const finalAt = async () => [await cell('final'), await cell('min')];
    const [final06] = await finalAt();
    const stats = (name: string, w: number) => {
      const loss = inputs.find((i) => i.name === name)!.run.scalars.get('loss/average')!;
      return lossStats(loss.steps, smoothTensorBoard(loss.values, w), Math.floor(loss.length / 10));
    };
    const expected = (w: number) => stats('adamw', w);
    // The column's one format: decimals for 4 significant digits of its smallest value.
    const fmtColumn = (w: number, key: 'finalLoss' | 'minLoss') => columnFormat(['adafactor', 'adamw', 'lion', 'prodigy'].map((n) => stats(n, w)[key]));
    expect(final06).toBe(fmtColumn(0.6, 'finalLoss')(expected(0.6).finalLoss!));
    await page.locator('#smoothing').fill('0.95');
    await page.waitForFunction(([before, k]) => document.querySelectorAll('#summary tbody tr[data-run="adamw"] td')[k]?.textContent !== before, [
      final06,
      keys.indexOf('final'),
    ] as const);
    const [final95, min95] = await finalAt();
    const e95 = expected(0.95);
    expect(final95).toBe(fmtColumn(0.95, 'finalLoss')(e95.finalLoss!));
    expect(min95).toBe(`${fmtColumn(0.95, 'minLoss')(e95.minLoss!)} @ ${e95.minLossStep}`);
    const decimals = await page
      .locator('#summary tbody tr')
      .evaluateAll((trs, k) => trs.map((tr) => (tr.children[k].textContent ?? '').split('.')[1]?.length), keys.indexOf('final'));
    expect(new Set(decimals).size).toBe(1);
    await expect(page.locator('#summary th[data-key="final"]').getAttribute('title')).resolves.toContain('(0.95)');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('effective lr: Prodigy shows its d·lr in the table, and one log chart puts every optimizer on the same scale', async () => {
    const { inputs, page, errors, keys } = await openSweepTable();
    const cell = (run: string, key: string) => page.locator(`#summary tbody tr[data-run="${run}"] td`).nth(keys.indexOf(key));
    await expect(cell('prodigy', 'lr').textContent()).resolves.toBe('1');
    const dlr = inputs.find((i) => i.name === 'prodigy')!.run.scalars.get('lr/d*lr')!;
    let peak = -Infinity;
    for (let i = 0; i < dlr.length; i++) peak = Math.max(peak, dlr.values[i]);
    expect(peak).toBeLessThan(0.1);
    const prodigy = (await cell('prodigy', 'efflr').textContent())!;
    expect(prodigy).toMatch(/^\d\.\d\de-\d d·lr$/);
    expect(Math.abs(Number(prodigy.split(' ')[0]) / peak - 1)).toBeLessThan(0.01);
    // One format for the column: every value in the same exponent form.
    await expect(cell('adamw', 'efflr').textContent()).resolves.toBe('1.00e-4');

    const chart = page.locator('figure[data-tag="effective lr"]');
    await expect(chart.locator('.log').getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(chart.locator('.axis-note').textContent()).resolves.toMatch(/d·lr/);
    for (const run of ['adafactor', 'adamw', 'lion', 'prodigy'])
      await expect(chart.locator(`path[data-run="${run}"][data-series="smoothed"]`).count()).resolves.toBe(1);
    // The first chart of the learning-rate section.
    await expect(page.locator('section[data-group="lr"] figure').first().getAttribute('data-tag')).resolves.toBe('effective lr');
    // Prodigy's d·lr is near AdamW's 1e-4, not at 1: both lines sit inside the plot, on a log axis spanning their values.
    const labels = await chart.locator('.axis').first().locator('text').allTextContents();
    expect(labels.some((t) => /1e-4|1e-3/.test(t))).toBe(true);
    expect(labels).not.toContain('1');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('run filter and tag filter (regular expressions, as in TensorBoard): an invalid one shows a message, not an error', async () => {
    const { page, errors } = await open(await pageFor(['fixtures/kohya/sweep']));
    const smoothedRuns = (tag: string) =>
      page.locator(`figure[data-tag="${tag}"] path[data-series="smoothed"]:visible`).evaluateAll((ps) => ps.map((p) => p.getAttribute('data-run')));
    await page.fill('#run-filter', '^(adam|lion)');
    await expect(smoothedRuns('loss/average')).resolves.toEqual(['adamw', 'lion']);
    await expect(page.locator('.legend .chip[data-run]:visible').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-run')))).resolves.toEqual([
      'adamw',
      'lion',
    ]);
    await expect(page.locator('#summary tbody tr:visible').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run')))).resolves.toEqual([
      'adamw',
      'lion',
    ]);
    await expect(page.locator('#run-filter-error').isVisible()).resolves.toBe(false);

    // Half-typed: a message, every run shown, no exception.
    await page.fill('#run-filter', 'adam(');
    await expect(page.locator('#run-filter-error').isVisible()).resolves.toBe(true);
    await expect(page.locator('#run-filter-error').textContent()).resolves.toMatch(/not a regular expression/);
    await expect(page.locator('#run-filter').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(smoothedRuns('loss/average')).resolves.toEqual(['adafactor', 'adamw', 'lion', 'prodigy']);
    await page.fill('#run-filter', 'PRODIGY');
    await expect(smoothedRuns('loss/average')).resolves.toEqual(['prodigy']);
    await page.fill('#run-filter', '');
    await expect(smoothedRuns('loss/average')).resolves.toEqual(['adafactor', 'adamw', 'lion', 'prodigy']);

    await page.fill('#tag-filter', '^lr/');
    await expect(page.locator('figure.chart:visible').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-tag')))).resolves.toEqual([
      'lr/d*lr',
      'lr/textencoder',
      'lr/unet',
    ]);
    await expect(page.locator('section[data-group="loss"]').isVisible()).resolves.toBe(false);
    await page.fill('#tag-filter', '[');
    await expect(page.locator('#tag-filter-error').isVisible()).resolves.toBe(true);
    await expect(page.locator('figure.chart:visible').count()).resolves.toBe(7);
    await page.fill('#tag-filter', 'average');
    await expect(page.locator('figure.chart:visible').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-tag')))).resolves.toEqual(['loss/average']);
    // A chart shown again is drawn at its width.
    await page.fill('#tag-filter', '');
    await expect(smoothedRuns('lr/unet')).resolves.toHaveLength(4);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('drag on a chart zooms its x axis, double-click resets; the csv button downloads the chart from a blob: URL', async () => {
    const { page, errors, requests } = await open(await pageFor(['fixtures/kohya/sweep']));
    const chart = page.locator('figure[data-tag="loss/average"]');
    const ticks = () => chart.locator('.axis').nth(1).locator('.tick text').allTextContents();
    const before = await ticks();
    expect(before.at(-1)).toMatch(/^3k$|^2\.5k$/);
    const plot = (await chart.locator('rect.overlay').boundingBox())!;
    const y = plot.y + plot.height / 2;
    await page.mouse.move(plot.x + plot.width * 0.25, y);
    await page.mouse.down();
    await page.mouse.move(plot.x + plot.width * 0.4, y, { steps: 4 });
    await expect(chart.locator('rect.zoom-brush').getAttribute('display')).resolves.toBeNull();
    await page.mouse.move(plot.x + plot.width * 0.5, y, { steps: 4 });
    await page.mouse.up();
    await expect(chart.getAttribute('data-zoomed')).resolves.toBe('');
    await expect(chart.locator('.reset-zoom').isVisible()).resolves.toBe(true);
    // The axis now spans steps ≈ 750…1500.
    const zoomed = (await ticks()).map((t) => Number(t.replace('k', 'e3')));
    expect(Math.min(...zoomed)).toBeGreaterThanOrEqual(700);
    expect(Math.max(...zoomed)).toBeLessThanOrEqual(1550);
    // Other charts keep their range.
    await expect(page.locator('figure[data-tag="loss/current"]').getAttribute('data-zoomed')).resolves.toBeNull();
    await page.mouse.dblclick(plot.x + plot.width * 0.5, y);
    await expect(chart.getAttribute('data-zoomed')).resolves.toBeNull();
    await expect(ticks()).resolves.toEqual(before);
    // A click is no zoom.
    await page.mouse.click(plot.x + plot.width * 0.3, y);
    await expect(chart.getAttribute('data-zoomed')).resolves.toBeNull();

    const [download] = await Promise.all([page.waitForEvent('download'), chart.locator('button.csv').click()]);
    expect(download.suggestedFilename()).toBe('loss_average.csv');
    expect(download.url()).toMatch(/^blob:/);
    const { readFile } = await import('node:fs/promises');
    const text = await readFile((await download.path())!, 'utf8');
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe('run,step,value,smoothed (0.6)');
    expect(lines.length).toBe(1 + 3000 + 3000 + 750 + 3000);
    expect(lines[1]).toMatch(/^adafactor,1,[\d.e-]+,[\d.e-]+$/);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('chart order: smoothed loss first, then learning rates, then the per-step loss; smoothing by tag kind, toggled per chart', async () => {
    const { page, errors } = await open(await pageFor(['fixtures/kohya/sweep']));
    const order = await page.locator('figure.chart').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-tag')));
    expect(order).toEqual(['loss/average', 'loss/epoch', 'effective lr', 'lr/d*lr', 'lr/textencoder', 'lr/unet', 'loss/current']);
    await expect(page.locator('section.group h2').allTextContents()).resolves.toEqual(['Loss', 'Learning rate', 'Per-step loss']);
    const smooth = (tag: string) => page.locator(`figure[data-tag="${tag}"] button.smooth`).getAttribute('aria-pressed');
    await expect(smooth('loss/average')).resolves.toBe('true');
    await expect(smooth('loss/current')).resolves.toBe('true');
    await expect(smooth('lr/unet')).resolves.toBe('false');
    await expect(smooth('loss/epoch')).resolves.toBe('false');
    // An unsmoothed chart draws its points as logged (one strong line, no faint copy under it).
    const lr = page.locator('figure[data-tag="lr/unet"]');
    await expect(lr.locator('path[data-series="raw"]').count()).resolves.toBe(0);
    const asLogged = await lr.locator('path[data-run="adamw"][data-series="smoothed"]').getAttribute('d');
    await page.locator('#smoothing').fill('0.9');
    await page.waitForFunction(
      () => document.querySelector('#smoothing-value') && (document.querySelector('#smoothing-value') as HTMLInputElement).value === '0.9',
    );
    await expect(lr.locator('path[data-run="adamw"][data-series="smoothed"]').getAttribute('d')).resolves.toBe(asLogged);
    await lr.locator('button.smooth').click();
    await expect(smooth('lr/unet')).resolves.toBe('true');
    await expect(lr.locator('path[data-series="raw"]').count()).resolves.toBe(4);
    expect(await lr.locator('path[data-run="adamw"][data-series="smoothed"]').getAttribute('d')).not.toBe(asLogged);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('wall-time axis in 24-hour UTC with the date on the first tick; tooltip steps are whole numbers', async () => {
    const { page, errors } = await open(await pageFor(['fixtures/kohya/sweep']));
    const chart = page.locator('figure[data-tag="loss/average"]');
    const box = (await chart.locator('rect.overlay').boundingBox())!;
    // Step axis: wherever the pointer is, the header and the step column are integers.
    for (const f of [0.123, 0.4567, 0.777]) {
      await page.mouse.move(box.x + box.width * f, box.y + box.height / 2);
      await expect(page.locator('#tooltip .head').textContent()).resolves.toMatch(/^step: \d+$/);
      const steps = await page.locator('#tooltip tr td:last-child').allTextContents();
      expect(steps.length).toBeGreaterThan(0);
      for (const t of steps) expect(t).toMatch(/^\d+$/);
    }
    await page.click('button[data-x="wall"]');
    const labels = await chart.locator('.axis').nth(1).locator('.tick text').allTextContents();
    expect(labels.length).toBeGreaterThan(2);
    expect(labels[0]).toMatch(/^[A-Z][a-z]{2} \d{1,2} \d{2}:\d{2}(:\d{2})?$/);
    for (const l of labels.slice(1)) expect(l).toMatch(/^([A-Z][a-z]{2} \d{1,2} )?([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/);
    expect(labels.join(' ')).not.toMatch(/AM|PM/);
    // The sweep's runs start 2026-11-29 14:01 UTC, past noon: a 24-hour clock shows 14:…, not 02:….
    expect(labels.some((l) => /(^| )1[3-9]:|(^| )2\d:/.test(l))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the smoothing input takes [0, 1) in steps of 0.01: 1.5 and -3 are clamped, 0.123 rounded', async () => {
    const { page, errors } = await open(await pageFor(['fixtures/kohya/sweep']));
    const number = page.locator('#smoothing-value');
    await expect(number.getAttribute('max')).resolves.toBe('0.99');
    await expect(number.getAttribute('step')).resolves.toBe('0.01');
    await expect(page.locator('#smoothing').getAttribute('step')).resolves.toBe('0.01');
    for (const [typed, shown] of [
      ['1.5', '0.99'],
      ['-3', '0'],
      ['0.123', '0.12'],
      ['', '0.12'],
    ]) {
      await number.fill(typed);
      await number.dispatchEvent('change');
      await expect(number.inputValue(), typed).resolves.toBe(shown);
      await expect(page.locator('#smoothing').inputValue(), typed).resolves.toBe(shown);
    }
    // The table redraws after the charts (on the next frame): wait for it rather than read it at once, which failed under load.
    await expect.poll(() => page.locator('#summary th[data-key="final"]').getAttribute('title'), { timeout: 10_000 }).toContain('(0.12)');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the runs table fits its card at a 1400 px viewport (the findings column is not cut off)', async () => {
    for (const paths of [
      ['fixtures/kohya/sweep'],
      ['fixtures/kohya/explode', 'fixtures/kohya/nan-late', 'fixtures/kohya/resumed', 'fixtures/kohya/sweep/adamw'],
    ]) {
      const { page, errors } = await open(await pageFor(paths));
      const fit = await page.evaluate(() => {
        const wrap = document.querySelector('#summary-section .table-wrap') as HTMLElement;
        const card = document.querySelector('#summary-section') as HTMLElement;
        const last = document.querySelector('#summary th[data-key="findings"]') as HTMLElement;
        return {
          scroll: wrap.scrollWidth,
          client: wrap.clientWidth,
          lastRight: last.getBoundingClientRect().right,
          cardRight: card.getBoundingClientRect().right,
          page: document.documentElement.scrollWidth,
        };
      });
      expect(fit.scroll, paths.join(' ')).toBeLessThanOrEqual(fit.client);
      expect(fit.lastRight).toBeLessThanOrEqual(fit.cardRight);
      expect(fit.page).toBeLessThanOrEqual(1400);
      await page.locator('#summary-section').screenshot({ path: `test-artifacts/compare-table-${paths.length}.png` });
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('grouping: each group has its own colour and a legend entry; mean line with a min–max band that ends where its runs end', async () => {
    const { page, errors } = await open(await pageFor(['fixtures/kohya/sweep']));
    await expect(page.locator('#group-legend').isVisible()).resolves.toBe(false);
    await page.selectOption('#group-by', 'batch');
    const legend = page.locator('#group-legend');
    await expect(legend.isVisible()).resolves.toBe(true);
    await expect(legend.locator('.group-chip .name').allTextContents()).resolves.toEqual(['batch = 1', 'batch = 4']);
    await expect(legend.locator('.group-chip .meta').allTextContents()).resolves.toEqual(['3 runs', '1 run']);
    await expect(legend.textContent()).resolves.toMatch(/mean.*min–max/);
    const chart = page.locator('figure[data-tag="loss/average"]');
    await expect(chart.locator('path.group-mean').count()).resolves.toBe(2);
    await expect(chart.locator('path.band[data-group="1"]').count()).resolves.toBe(1);
    await expect(chart.locator('path[data-series="smoothed"]').count()).resolves.toBe(0);

    // The lines and bands take the legend's colours, which are no run's colour.
    const swatch = await legend
      .locator('.group-chip')
      .evaluateAll((cs) => cs.map((c) => [c.getAttribute('data-group'), getComputedStyle(c.querySelector('.swatch')!).backgroundColor]));
    const strokes = await chart.locator('path.group-mean').evaluateAll((ps) => ps.map((p) => [p.getAttribute('data-group'), getComputedStyle(p).stroke]));
    const fills = await chart.locator('path.band').evaluateAll((ps) => ps.map((p) => [p.getAttribute('data-group'), getComputedStyle(p).fill]));
    expect(strokes).toEqual(swatch);
    expect(fills).toEqual(swatch);
    expect(new Set(swatch.map((s) => s[1])).size).toBe(2);
    const runColors = await page.locator('.legend .chip .swatch').evaluateAll((ss) => ss.map((s) => getComputedStyle(s).backgroundColor));
    for (const [, c] of swatch) expect(runColors).not.toContain(c);

    // batch 4 (Lion, 750 steps) ends at a quarter of the step axis, and past its end the tooltip leaves it out.
    const end = async (g: string) => lastX((await chart.locator(`path.group-mean[data-group="${g}"]`).getAttribute('d'))!);
    expect(await end('4')).toBeLessThan((await end('1')) * 0.35);
    const box = (await chart.locator('svg').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.5);
    await expect(page.locator('#tooltip tr').count()).resolves.toBe(2);
    await expect(page.locator('#tooltip').textContent()).resolves.not.toContain('batch = 4');
    await page.mouse.move(box.x + box.width * 0.15, box.y + box.height * 0.5);
    await expect(page.locator('#tooltip').textContent()).resolves.toContain('batch = 4 (1 run)');
    await page.screenshot({ path: 'test-artifacts/compare-sweep-grouped.png', fullPage: true });

    // The run filter narrows the groups (their colours stay); a group with no run left leaves the legend.
    await page.fill('#run-filter', '^ada');
    await expect(legend.locator('.group-chip .meta').allTextContents()).resolves.toEqual(['2 runs']);
    await expect(
      chart.locator('path.group-mean').evaluateAll((ps) => ps.map((p) => [p.getAttribute('data-group'), getComputedStyle(p).stroke])),
    ).resolves.toEqual([swatch[0]]);
    await page.fill('#run-filter', '');
    await expect(legend.locator('.group-chip .meta').allTextContents()).resolves.toEqual(['3 runs', '1 run']);

    await page.selectOption('#group-by', '');
    await expect(page.locator('#group-legend').isVisible()).resolves.toBe(false);
    await expect(chart.locator('path[data-series="smoothed"]').count()).resolves.toBe(4);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("runs of different trainers side by side: the legend and the table name each run's trainer", async () => {
    const { page, errors } = await open(await pageFor(['fixtures/trainers/onetrainer/healthy', 'fixtures/trainers/ai-toolkit/healthy']));
    await expect(page.locator('#legend .chip .meta').allTextContents()).resolves.toEqual(['OneTrainer · batch 1', 'ai-toolkit · batch 1']);
    const headers = await page.locator('#summary thead th').allTextContents();
    const col = headers.indexOf('trainer');
    expect(col).toBe(2);
    const cells = await page.locator(`#summary tbody tr td:nth-child(${col + 1})`).allTextContents();
    expect(cells).toEqual(['OneTrainer', 'ai-toolkit']);
    expect(errors).toEqual([]);
    await page.close();
  });
});
