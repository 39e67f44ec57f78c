// Comparison page size and draw time: the 12-run sweep-big fixture (read from ../shared, not copied)
// and a synthetic run with 1 000 000 points per tag, each loaded several times in headless Chromium.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildPageData, type CompareOptions } from '../src/report/compare/compare-data.js';
import { collectCompareInputs } from '../src/report/compare/compare-input.js';
import { CHROMIUM_MISSING, hasChromium, launchChromium } from '../test/support/chromium.js';
import { scalarRun } from '../test/support/scalar-run.js';
import { renderComparePage } from '../src/report/html/page.js';
import { seriesFromArrays, type Series } from '../src/runs/series.js';
import type { Run } from '../src/runs/types.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SWEEP_BIG = resolve(REPO, '..', 'shared', 'fixtures', 'kohya', 'sweep-big');
const LOADS = 5;
const TARGET_SWEEP_MB = 1.5;
const TARGET_DRAW_MS = 1000;
const TARGET_MILLION_MB = 3;
const MILLION = 1_000_000;
const OPTIONS: CompareOptions = { title: 'bench', x: 'step', smoothing: 0.6, generator: 'tblens bench' };

const mb = (bytes: number) => bytes / 1e6;
const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
/** The page's own script (the bundle: chart code and the d3 parts it uses). */
const scriptBytes = (html: string) => Buffer.byteLength(/<script>\n([\s\S]*?)\n<\/script>/.exec(html)?.[1] ?? '');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

interface DrawTimes {
  /** Navigation start → every chart drawn. */
  drawnMs: number[];
  /** The page's own script start → every chart drawn. */
  scriptMs: number[];
  /** A full redraw (x axis switched to samples). */
  redrawMs: number[];
  /** Main-thread CPU time of the renderer until drawn (CDP TaskDuration in thread ticks): what contention does not inflate. */
  cpuMs: number[];
  nonFiniteMarkers: number;
}

async function drawTimes(file: string): Promise<DrawTimes> {
  const browser = await launchChromium();
  const out: DrawTimes = { drawnMs: [], scriptMs: [], redrawMs: [], cpuMs: [], nonFiniteMarkers: 0 };
  try {
    for (let i = 0; i < LOADS; i++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-drawn]', { state: 'attached', timeout: 60_000 });
      const { metrics } = await cdp.send('Performance.getMetrics');
      out.cpuMs.push((metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN) * 1000);
      if (errors.length) throw new Error(`page error: ${errors[0]}`);
      const [start, drawn] = await page.evaluate(() => [Number(document.body.dataset.scriptStart), Number(document.body.dataset.drawn)]);
      out.drawnMs.push(drawn);
      out.scriptMs.push(drawn - start);
      out.redrawMs.push(
        await page.evaluate(() => {
          const t = performance.now();
          (document.querySelector('button[data-x="samples"]') as HTMLElement).click();
          return performance.now() - t;
        }),
      );
      out.nonFiniteMarkers = await page.locator('path.nonfinite').count();
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return out;
}

function drawLines(label: string, t: DrawTimes): void {
  const d = median(t.drawnMs);
  console.log(
    `  headless Chromium, ${LOADS} loads (median): every chart drawn ${fmt(d)} ms after navigation (page script ${fmt(median(t.scriptMs))} ms); redraw on an x-axis switch ${fmt(median(t.redrawMs))} ms`,
  );
  console.log(
    `  all loads: ${t.drawnMs.map((x) => fmt(x)).join(', ')} ms; renderer main-thread CPU until drawn ${fmt(median(t.cpuMs))} ms (median; wall time above includes waiting for a busy machine: load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`,
  );
  console.log(`  target ${label} draw ≤ ${TARGET_DRAW_MS} ms: ${fmt(d)} ms ${verdict(d <= TARGET_DRAW_MS)}`);
}

/** kohya-like: noisy per-step loss with a spike and a NaN stretch, its running average, a cosine lr. */
function millionRun(): Run {
  const steps = new Float64Array(MILLION);
  const loss = new Float64Array(MILLION);
  const average = new Float64Array(MILLION);
  const lr = new Float64Array(MILLION);
  const wall = new Float64Array(MILLION);
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let avg = 0;
  for (let i = 0; i < MILLION; i++) {
    steps[i] = i + 1;
    wall[i] = 1_795_960_866 + i * 0.05;
    const v = (0.02 + 0.2 * rand() ** 3) * (1 - 0.3 * (i / MILLION));
    loss[i] = i === 654_321 ? 9 : i >= 800_000 && i < 800_050 ? NaN : v;
    avg += (v - avg) / Math.min(i + 1, 1000);
    average[i] = avg;
    lr[i] = 1e-4 * 0.5 * (1 + Math.cos((Math.PI * i) / MILLION)) + 1e-9;
  }
  const series = (tag: string, values: Float64Array): [string, Series] => [tag, seriesFromArrays(tag, steps, values, wall)];
  return scalarRun('million', [series('loss/average', average), series('loss/current', loss), series('lr/unet', lr)]);
}

export default async function compareBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tblens-compare-bench-'));
  const chromium = hasChromium();
  if (!chromium) console.log(`compare: ${CHROMIUM_MISSING} Draw times are not measured.`);
  try {
    if (!existsSync(SWEEP_BIG)) console.log(`compare: ${SWEEP_BIG} not found: the sweep-big measurement is skipped`);
    else {
      const t0 = performance.now();
      const collected = await collectCompareInputs([SWEEP_BIG]);
      if (!collected.ok) throw new Error(collected.error);
      const t1 = performance.now();
      const data = buildPageData(collected.inputs, OPTIONS);
      const html = await renderComparePage(data);
      const t2 = performance.now();
      const file = join(dir, 'sweep-big.html');
      await writeFile(file, html);
      const bytes = Buffer.byteLength(html);
      const points = collected.inputs.reduce((n, i) => n + [...i.run.scalars.values()].reduce((m, s) => m + s.length, 0), 0);
      console.log(`compare: sweep-big, ${collected.inputs.length} runs, ${data.charts.length} charts, ${fmt(points)} points (all embedded)`);
      console.log(
        `  page ${fmt(mb(bytes), 2)} MB (chart code with d3 ${fmt(mb(scriptBytes(html)), 2)} MB of it); load + diagnose ${fmt(t1 - t0)} ms, page data + HTML ${fmt(t2 - t1)} ms`,
      );
      console.log(`  target page ≤ ${TARGET_SWEEP_MB} MB: ${fmt(mb(bytes), 2)} MB ${verdict(mb(bytes) <= TARGET_SWEEP_MB)}`);
      if (chromium) drawLines('sweep-big', await drawTimes(file));
    }

    const run = millionRun();
    const t0 = performance.now();
    const data = buildPageData([{ name: 'million', run }], OPTIONS);
    const html = await renderComparePage(data);
    const t1 = performance.now();
    const file = join(dir, 'million.html');
    await writeFile(file, html);
    const bytes = Buffer.byteLength(html);
    console.log(`compare: one run, ${run.scalars.size} tags × ${fmt(MILLION)} points (a one-point spike and 50 NaN in loss/current)`);
    console.log(
      `  page ${fmt(mb(bytes), 2)} MB, built in ${fmt(t1 - t0)} ms; series embedded as ${data.charts[0].series[0].kind === 'buckets' ? '2048-bucket summaries' : 'points'}`,
    );
    console.log(`  target page ≤ ${TARGET_MILLION_MB} MB: ${fmt(mb(bytes), 2)} MB ${verdict(mb(bytes) <= TARGET_MILLION_MB)}`);
    if (chromium) {
      const t = await drawTimes(file);
      console.log(`  NaN markers drawn in the page: ${t.nonFiniteMarkers}`);
      drawLines('1M-point', t);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
