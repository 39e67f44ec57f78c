// The library as a user sees it: only the public entry point is imported here.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  describeDamage,
  encodeFileVersionEvent,
  encodeScalarEvent,
  getSeries,
  loadEventFile,
  loadLogdir,
  readEvents,
  scalarTags,
  seriesPoints,
  writeRecordFile,
  type RawEvent,
  type RawItem,
  type Run,
} from './index.js';

const NAN_LATE_RUN = 'nan-late/glypha-nan-late-20261129140416/network_train';
const NAN_LATE_FILE = `fixtures/kohya/${NAN_LATE_RUN}/events.out.tfevents.1795961056.vm.6643.0`;
const CORRUPT_FILE = 'fixtures/kohya/corrupt-crc/glypha-lion-20261129140809/network_train/events.out.tfevents.1795961289.vm.6711.0';

/** TensorBoard's own rows for one run and tag (fixtures/expected, from its loader + data-server rule). */
function expectedRows(run: string, tag: string): number[][] {
  const text = gunzipSync(readFileSync('fixtures/expected/kohya.csv.gz')).toString('utf8');
  return text
    .split('\n')
    .map((l) => l.split(','))
    .filter((f) => f[0] === run && f[1] === tag)
    .map((f) => [Number(f[2]), Number(f[3]), Number(f[4])]);
}

async function collect(path: string, options?: { chunkSize?: number }): Promise<RawItem[]> {
  const items: RawItem[] = [];
  for await (const item of readEvents(path, options)) items.push(item);
  return items;
}

const dir = mkdtempSync(join(tmpdir(), 'tblens-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('public API on the bundled fixtures', () => {
  let kohya: Run[] = [];

  it('loadLogdir finds every kohya run and gives the series TensorBoard shows', async () => {
    const loaded = await loadLogdir('fixtures/kohya');
    if (!loaded.ok) throw new Error(loaded.error);
    kohya = loaded.root.runs;
    expect(kohya.map((r) => r.name)).toContain(NAN_LATE_RUN);
    const run = kohya.find((r) => r.name === NAN_LATE_RUN)!;
    expect(scalarTags(run)).toEqual(['loss/average', 'loss/current', 'loss/epoch', 'lr/textencoder', 'lr/unet']);
    const series = getSeries(run, 'loss/current')!;
    const rows = expectedRows(NAN_LATE_RUN, 'loss/current');
    expect(series.length).toBe(rows.length);
    expect([...seriesPoints(series)].map((p) => [p.step, p.wallTime, p.value])).toEqual(rows);
    expect(rows.some((r) => Number.isNaN(r[2]))).toBe(true); // the NaN points are there and equal
    expect(getSeries(run, 'no/such/tag')).toBeUndefined();
  });

  it('loadEventFile reads one file into the same series', async () => {
    const run = await loadEventFile(NAN_LATE_FILE);
    const fromDir = kohya.find((r) => r.name === NAN_LATE_RUN)!;
    expect(run.name).toBe('.');
    expect([...run.scalars.keys()]).toEqual([...fromDir.scalars.keys()]);
    for (const [tag, s] of run.scalars) expect(s).toEqual(fromDir.scalars.get(tag));
    expect(run.files[0]).toMatchObject({ records: 8011, events: 8011, fileVersion: 'brain.Event:2', damage: [] });
  });

  it('readEvents yields every record in file order with its scalar values; raw loading agrees', async () => {
    const items = await collect(NAN_LATE_FILE, { chunkSize: 1000 });
    const events = items.filter((i): i is RawEvent => i.type === 'event');
    expect(events).toHaveLength(items.length);
    expect(events).toHaveLength(8011);
    expect(events[0]).toMatchObject({ what: 'file_version', fileVersion: 'brain.Event:2', offset: 0, values: [] });
    for (let i = 1; i < events.length; i++) expect(events[i].offset).toBeGreaterThan(events[i - 1].offset);
    // Every point of the raw view is one raw event value, in the same order.
    const raw = await loadEventFile(NAN_LATE_FILE, { view: 'raw' });
    for (const [tag, s] of raw.scalars) {
      const mine = events.flatMap((e) => e.values.filter((v) => v.tag === tag).map((v) => [e.step, e.wallTime, v.value]));
      expect(mine).toEqual([...seriesPoints(s)].map((p) => [p.step, p.wallTime, p.value]));
    }
    expect(events[1].values[0]).toMatchObject({ payload: 'simple_value', pluginName: '', dataClass: 0 });
  });

  it('readEvents over a log directory walks runs and files in name order', async () => {
    const items = await collect('fixtures/kohya/sweep');
    const runs = [...new Set(items.map((i) => (i.type === 'error' ? '' : i.run)))];
    expect(runs).toEqual([...runs].sort());
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expect(items.every((i) => i.type === 'event')).toBe(true);
  });

  it('damage comes inline, and the rest of the file still comes', async () => {
    const items = await collect(CORRUPT_FILE);
    const damage = items.filter((i) => i.type === 'damage');
    expect(damage).toHaveLength(1);
    expect(damage[0]).toMatchObject({ type: 'damage', offset: 75492, damage: { kind: 'crc_error', offset: 75492, length: 51 } });
    if (damage[0].type === 'damage' && damage[0].damage.kind !== 'bad_event') {
      expect(describeDamage(damage[0].damage)).toContain('at byte 75492');
    }
    expect(items.filter((i) => i.type === 'event')).toHaveLength(3015);
    const after = items.findIndex((i) => i === damage[0]);
    expect(items.slice(after + 1).length).toBeGreaterThan(1000);
  });

  it('stopping early closes the file and ends cleanly', async () => {
    let n = 0;
    for await (const item of readEvents(NAN_LATE_FILE, { chunkSize: 512 })) {
      if (item.type === 'event' && ++n === 50) break;
    }
    expect(n).toBe(50);
  });

  it('a path that does not exist is an error value, never an exception', async () => {
    const loaded = await loadLogdir(join(dir, 'missing'));
    expect(loaded).toEqual({ ok: false, error: `${join(dir, 'missing')}: no such file or directory` });
    const items = await collect(join(dir, 'missing'));
    expect(items).toEqual([{ type: 'error', file: join(dir, 'missing'), error: `${join(dir, 'missing')}: no such file or directory` }]);
  });
});

describe('writing and reading back through the public API', () => {
  it('a kohya-style file written with the writer loads to the same numbers', async () => {
    const path = join(dir, 'events.out.tfevents.1700000000.host.1.0');
    const steps = 500;
    const payloads = function* () {
      yield encodeFileVersionEvent(1_700_000_000);
      for (let s = 1; s <= steps; s++) {
        yield encodeScalarEvent(1_700_000_000 + s, s, 'loss/current', 1 / s);
        yield encodeScalarEvent(1_700_000_000 + s, s, 'lr/unet', s === 250 ? NaN : 1e-4);
      }
    };
    await writeRecordFile(path, payloads());
    const run = await loadEventFile(path);
    const loss = getSeries(run, 'loss/current')!;
    expect(loss.length).toBe(steps);
    expect(Array.from(loss.values)).toEqual(Array.from({ length: steps }, (_, i) => Math.fround(1 / (i + 1))));
    expect(Array.from(loss.steps)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    expect(Number.isNaN(getSeries(run, 'lr/unet')!.values[249])).toBe(true);
    expect(run.files[0]).toMatchObject({ records: 2 * steps + 1, damage: [] });
  });
});
