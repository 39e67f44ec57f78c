// The comparison page driven in real Chromium (Debian's, via playwright-core): the acceptance.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPageData, type CompareOptions } from '../compare-data.js';
import { collectCompareInputs } from '../compare-input.js';
import { CHROMIUM_MISSING, hasChromium, launchChromium } from './chromium.js';
import { renderComparePage } from './page.js';

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
    await page.waitForFunction((d) => document.querySelector('figure[data-tag="loss/average"] path[data-run="adamw"][data-series="smoothed"]')?.getAttribute('d') !== d, before);
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
    const paths = await page.evaluate((name) => Array.from(document.querySelectorAll('path[data-series="smoothed"]')).filter((p) => p.getAttribute('data-run') === name).length, HOSTILE);
    expect(paths).toBe(5); // every chart but Prodigy's lr/d*lr
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('grouping by a hyper-parameter draws each group as a mean with a min–max band', async () => {
    const { page, errors } = await open(await pageFor(['fixtures/kohya/sweep']));
    await page.selectOption('#group-by', 'batch');
    const chart = page.locator('figure[data-tag="loss/average"]');
    await expect(chart.locator('path.group-mean').count()).resolves.toBe(2);
    await expect(chart.locator('path.band[data-group="1"]').count()).resolves.toBe(1);
    await expect(chart.locator('path[data-series="smoothed"]').count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
