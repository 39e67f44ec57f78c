import { describe, expect, it } from 'vitest';
import { loadLogdirs } from '../../runs/load-logdir.js';
import { seriesFromArrays } from '../../runs/series.js';
import { buildPageData } from '../compare/compare-data.js';
import { renderComparePage, scriptSafeJson } from './page.js';

const HOSTILE = '</script><img src=x onerror=alert(1)>';

describe('scriptSafeJson', () => {
  it('leaves no character that could end the script element or open a comment', () => {
    const text = scriptSafeJson({ name: HOSTILE, other: '<!-- & \u2028' });
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual({ name: HOSTILE, other: '<!-- & \u2028' });
  });
});

describe('renderComparePage', () => {
  it('keeps a hostile run name, tag and title out of the markup', async () => {
    const loaded = await loadLogdirs(['fixtures/kohya/explode']);
    if (!loaded.ok) throw new Error(loaded.error);
    const run = loaded.roots[0].runs[0];
    const scalars = new Map(run.scalars);
    scalars.set(HOSTILE, seriesFromArrays(HOSTILE, [1, 2, 3], [1, 2, 3]));
    const data = buildPageData([{ name: HOSTILE, run: { ...run, scalars, hparams: { note: HOSTILE } } }], {
      title: `<b>${HOSTILE}</b>`,
      x: 'step',
      smoothing: 0.6,
      generator: 'tblens test',
    });
    const html = await renderComparePage(data);
    // Exactly the page's own two script elements (data, code) close; no element comes from the data.
    expect(html.match(/<\/script/gi)?.length).toBe(2);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    const json = /<script type="application\/json" id="tblens-data">([^<]*)<\/script>/.exec(html);
    expect(json).not.toBeNull();
    const back = JSON.parse(json![1]);
    expect(back.runs[0].name).toBe(HOSTILE);
    expect(back.charts.map((c: { tag: string }) => c.tag)).toContain(HOSTILE);
  });

  it('inlines d3 and makes no reference to a network resource', async () => {
    const loaded = await loadLogdirs(['fixtures/kohya/explode']);
    if (!loaded.ok) throw new Error(loaded.error);
    const data = buildPageData([{ name: 'explode', run: loaded.roots[0].runs[0] }], { title: 't', x: 'step', smoothing: 0.6, generator: 'g' });
    const html = await renderComparePage(data);
    expect(html).toContain('d3js.org');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/i);
    expect(html).toContain("default-src 'none'");
  });
});
