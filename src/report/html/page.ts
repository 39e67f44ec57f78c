import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PageData } from '../compare-model.js';

/** Browser scripts in the order they depend on each other (plain scripts sharing one scope). */
const SCRIPTS = ['smoothing.js', 'series.js', 'chart.js', 'app.js'];

let assets: Promise<{ template: string; css: string; d3: string; app: string }> | undefined;

/** d3's UMD bundle; the package exports only its entry point, so the bundle is found beside it. */
async function readD3(): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('d3');
  return readFile(join(dirname(entry), 'd3.min.js'), 'utf8');
}

function loadAssets() {
  assets ??= (async () => {
    const here = (name: string) => readFile(new URL(`./${name}`, import.meta.url), 'utf8');
    const [template, css, d3, ...scripts] = await Promise.all([here('page.html'), here('page.css'), readD3(), ...SCRIPTS.map(here)]);
    const app = `(function () {\n'use strict';\n${scripts.join('\n')}\n})();`;
    for (const [name, code] of [['d3', d3], ['chart code', app]]) {
      // An inline script ends at the first `</script`; none of ours may contain one.
      if (/<\/script|<!--/i.test(code)) throw new Error(`${name} contains a sequence that would end the inline <script>`);
    }
    return { template, css, d3, app };
  })();
  return assets;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON that can sit inside `<script type="application/json">`: `<`, `>` and `&` become `\u003c`…, so no
 * run name, tag or metadata value can close the element or open a comment; U+2028/2029 too.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One pass over the template, so text put into one slot is never read as another slot's marker. */
function fill(template: string, slots: Record<string, string>): string {
  const marker = /\/\*\{\{[A-Z0-9]+\}\}\*\/|\{\{[A-Z0-9]+\}\}/g;
  return template.replace(marker, (m) => {
    const value = slots[m];
    if (value === undefined) throw new Error(`page template: no value for ${m}`);
    // A replacer function's return value is used literally (no `$&` expansion; d3 contains such text).
    return value;
  });
}

/** The comparison as one self-contained HTML page: data, d3 and chart code inline, no network. */
export async function renderComparePage(data: PageData): Promise<string> {
  const { template, css, d3, app } = await loadAssets();
  return fill(template, {
    '{{TITLE}}': escapeHtml(data.title),
    '{{GENERATOR}}': escapeHtml(data.generator),
    '/*{{CSS}}*/': css,
    '/*{{D3}}*/': d3,
    '/*{{APP}}*/': app,
    '{{DATA}}': scriptSafeJson(data),
  });
}
