// `npm run reports`: regenerates the example comparison reports in reports/ from fixtures/ (HTML page,
// static SVG and Markdown for each), with the same code paths as `tblens compare`; with Chromium installed
// (/usr/bin/chromium, as for the browser tests), screenshots of the sweep page too.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hasChromium, launchChromium } from '../test/support/chromium.js';
import { buildCompareModel, buildPageData, type CompareOptions } from '../src/report/compare/compare-data.js';
import { collectCompareInputs } from '../src/report/compare/compare-input.js';
import { renderCompareMarkdown } from '../src/report/compare/compare-markdown.js';
import type { XAxis } from '../src/report/compare/compare-model.js';
import { renderComparePage } from '../src/report/html/page.js';
import { renderCompareSvg } from '../src/report/compare/svg-charts.js';
import { TOOL_NAME, toolVersion } from '../src/analyze/tool.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Example {
  name: string;
  title: string;
  paths: string[];
  /** The static SVG shows the fair view and the tags that tell the story. */
  svg: { x: XAxis; tags: RegExp };
}

const EXAMPLES: Example[] = [
  {
    name: 'four-optimizers',
    title: 'Four optimizers on one data set: AdamW, Adafactor, Prodigy, Lion (batch 4)',
    paths: ['fixtures/kohya/sweep'],
    svg: { x: 'samples', tags: /^(loss\/average|loss\/epoch|lr\/unet|lr\/d\*lr)$/ },
  },
  {
    name: 'broken-runs',
    title: 'Broken runs next to a healthy one: explosion, late NaN, resumed run',
    paths: ['fixtures/kohya/explode', 'fixtures/kohya/nan-late', 'fixtures/kohya/resumed', 'fixtures/kohya/sweep/adamw'],
    svg: { x: 'step', tags: /^(loss\/current|loss\/average|lr\/unet)$/ },
  },
];

/** The sweep page as a reader first sees it, and grouped by batch size (README links both). */
async function screenshots(html: string): Promise<void> {
  if (!hasChromium()) {
    console.log('reports: no Chromium at /usr/bin/chromium, screenshots not refreshed');
    return;
  }
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(pathToFileURL(resolve(html)).href);
    await page.waitForSelector('body[data-drawn]');
    await page.screenshot({ path: 'reports/sweep-default.png', fullPage: true });
    await page.selectOption('#group-by', 'batch');
    await page.screenshot({ path: 'reports/sweep-grouped.png', fullPage: true });
    console.log('reports: reports/sweep-default.png, reports/sweep-grouped.png');
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  process.chdir(REPO);
  await mkdir('reports', { recursive: true });
  const generator = `${TOOL_NAME} ${toolVersion()}`;
  for (const ex of EXAMPLES) {
    const collected = await collectCompareInputs(ex.paths);
    if (!collected.ok) throw new Error(`${ex.name}: ${collected.error}`);
    const base: CompareOptions = { title: ex.title, x: 'step', smoothing: 0.6, generator };
    const html = await renderComparePage(buildPageData(collected.inputs, base));
    const svg = await renderCompareSvg(buildCompareModel(collected.inputs, { ...base, x: ex.svg.x, tagFilter: ex.svg.tags }));
    const stem = join('reports', ex.name);
    await writeFile(`${stem}.html`, html);
    await writeFile(`${stem}.svg`, svg);
    // Written last: it links the two files above when they exist.
    await writeFile(`${stem}.md`, await renderCompareMarkdown(buildCompareModel(collected.inputs, base), `${stem}.md`));
    if (ex.name === 'four-optimizers') await screenshots(`${stem}.html`);
    console.log(`reports: ${stem}.html (${(html.length / 1e6).toFixed(2)} MB), ${stem}.svg, ${stem}.md — ${collected.inputs.map((i) => i.name).join(', ')}`);
  }
}

await main();
