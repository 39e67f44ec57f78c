// Issue 9.4: a log with thousands of tags gives a page that draws the first N charts and says how to
// choose others, instead of tens of megabytes that never finish drawing.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { encodeFileVersionEvent, encodeScalarEvent } from '../../events/encode-event.js';
import { writeRecordFile } from '../../tfrecord/write-records.js';
import type { PageData } from './compare-model.js';

const TAGS = 5000;

function* manyTags(): Generator<Uint8Array> {
  const t0 = 1_795_960_000;
  yield encodeFileVersionEvent(t0);
  for (let step = 1; step <= 3; step++) {
    yield encodeScalarEvent(t0 + step, step, 'loss/current', 1 / step);
    for (let k = 0; k < TAGS - 1; k++) yield encodeScalarEvent(t0 + step, step, `layer_${String(k).padStart(4, '0')}/grad_norm`, k + step / 10);
  }
}

function embedded(html: string): PageData {
  const json = /<script type="application\/json" id="tblens-data">([^<]*)<\/script>/.exec(html);
  if (!json) throw new Error('no page data');
  return JSON.parse(json[1]) as PageData;
}

describe('compare on a log with 5 000 tags', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tblens-many-tags-'));
    await mkdir(join(dir, 'run'));
    await writeRecordFile(join(dir, 'run', 'events.out.tfevents.1795960000.host'), manyTags());
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function compare(...extra: string[]): Promise<{ code: number; html: string; stderr: string }> {
    const out = join(dir, `page-${extra.join('_').replace(/\W/g, '')}.html`);
    const errors: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (errors.push(String(chunk)), true));
    try {
      const code = await main(['compare', join(dir, 'run'), '-o', out, ...extra]);
      return { code, html: code === 0 ? await readFile(out, 'utf8') : '', stderr: errors.join('') };
    } finally {
      spy.mockRestore();
    }
  }

  it('draws the first 60 charts, loss first, and says how to choose the others', async () => {
    const { code, html } = await compare();
    expect(code).toBe(0);
    expect(html.length).toBeLessThan(400_000);
    const data = embedded(html);
    expect(data.charts.length).toBe(60);
    expect(data.charts[0].tag).toBe('loss/current');
    const note = data.notes.find((n) => n.includes('--tags'));
    expect(note).toMatch(/^5000 tags, only the first 60 are charted/);
    expect(note).toContain('4940 left out (layer_0059/grad_norm, layer_0060/grad_norm, layer_0061/grad_norm, …)');
    expect(note).toContain('--max-charts N');
  });

  it('--max-charts and --tags choose what is drawn', async () => {
    const few = await compare('--max-charts', '5');
    expect(embedded(few.html).charts.map((c) => c.tag)).toEqual([
      'loss/current',
      'layer_0000/grad_norm',
      'layer_0001/grad_norm',
      'layer_0002/grad_norm',
      'layer_0003/grad_norm',
    ]);
    const chosen = await compare('--tags', '^layer_4999');
    const data = embedded(chosen.html);
    expect(data.charts.map((c) => c.tag)).toEqual([]);
    const last = embedded((await compare('--tags', '^layer_4998/')).html);
    expect(last.charts.map((c) => c.tag)).toEqual(['layer_4998/grad_norm']);
    expect(last.notes.some((n) => n.includes('--tags'))).toBe(false);
  });

  it('refuses a limit that is not a whole number of at least 1', async () => {
    for (const bad of ['0', '-3', '2.5', 'x']) {
      const r = await compare('--max-charts', bad);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/--max-charts .*: expected a whole number of at least 1/);
    }
  });
});
