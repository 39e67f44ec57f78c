import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { PageData } from '../compare/compare-model.js';

const BUNDLE = 'page-app.js';

let assets: Promise<{ template: string; css: string; app: string }> | undefined;

/**
 * The page script (app.ts + the shared chart code + the d3 parts it uses, one IIFE): `npm run build`
 * writes it beside this module (vitest's globalSetup does the same beside the sources). Product code
 * never bundles: the bundler is a dev dependency.
 */
async function readApp(): Promise<string> {
  const built = new URL(`./${BUNDLE}`, import.meta.url);
  if (!existsSync(built)) throw new Error(`the comparison page script ${BUNDLE} is missing beside ${fileURLToPath(import.meta.url)}: run npm run build`);
  return readFile(built, 'utf8');
}

function loadAssets() {
  assets ??= (async () => {
    const here = (name: string) => readFile(new URL(`./${name}`, import.meta.url), 'utf8');
    const [template, css, app] = await Promise.all([here('page.html'), here('page.css'), readApp()]);
    // An inline script ends at the first `</script`; the bundle may not contain one.
    if (/<\/script|<!--/i.test(app)) throw new Error('page script contains a sequence that would end the inline <script>');
    return { template, css, app };
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

/** The comparison as one self-contained HTML page: data and the chart code (with d3) inline, no network. */
export async function renderComparePage(data: PageData): Promise<string> {
  const { template, css, app } = await loadAssets();
  return fill(template, {
    '{{TITLE}}': escapeHtml(data.title),
    '{{GENERATOR}}': escapeHtml(data.generator),
    '/*{{CSS}}*/': css,
    '/*{{APP}}*/': app,
    '{{DATA}}': scriptSafeJson(data),
  });
}
