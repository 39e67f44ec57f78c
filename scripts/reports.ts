// `npm run reports`: regenerates the example comparison reports in reports/ from fixtures/ (HTML page,
// static SVG and Markdown for each), with the same code paths as `tblens compare`.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPageData, type CompareOptions } from '../src/report/compare-data.js';
import { collectCompareInputs } from '../src/report/compare-input.js';
import { renderCompareMarkdown } from '../src/report/compare-markdown.js';
import type { XAxis } from '../src/report/compare-model.js';
import { renderComparePage } from '../src/report/html/page.js';
import { renderCompareSvg } from '../src/report/svg-charts.js';
import { TOOL_NAME, toolVersion } from '../src/report/tool.js';

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

async function main(): Promise<void> {
  process.chdir(REPO);
  await mkdir('reports', { recursive: true });
  const generator = `${TOOL_NAME} ${toolVersion()}`;
  for (const ex of EXAMPLES) {
    const collected = await collectCompareInputs(ex.paths);
    if (!collected.ok) throw new Error(`${ex.name}: ${collected.error}`);
    const base: CompareOptions = { title: ex.title, x: 'step', smoothing: 0.6, generator };
    const html = await renderComparePage(buildPageData(collected.inputs, base));
    const svg = await renderCompareSvg(buildPageData(collected.inputs, { ...base, x: ex.svg.x, tagFilter: ex.svg.tags }));
    const stem = join('reports', ex.name);
    await writeFile(`${stem}.html`, html);
    await writeFile(`${stem}.svg`, svg);
    // Written last: it links the two files above when they exist.
    await writeFile(`${stem}.md`, await renderCompareMarkdown(buildPageData(collected.inputs, base), `${stem}.md`));
    console.log(`reports: ${stem}.html (${(html.length / 1e6).toFixed(2)} MB), ${stem}.svg, ${stem}.md — ${collected.inputs.map((i) => i.name).join(', ')}`);
  }
}

await main();
