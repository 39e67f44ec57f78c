// A log with very many distinct tags: the cost per tag is its data, not a typed-array buffer per column.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeFileVersionEvent, encodeScalarEvent } from '../events/encode-event.js';
import { writeRecordFile } from '../tfrecord/write-records.js';
import { loadRun } from './load-run.js';

const dir = mkdtempSync(join(tmpdir(), 'tblens-many-tags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('many distinct tags', () => {
  it('one-point series share column buffers, and every value is still its own', async () => {
    const file = join(dir, 'events.out.tfevents.1700000000.host.1.0');
    const tags = 3000;
    await writeRecordFile(file, [
      encodeFileVersionEvent(1_700_000_000),
      ...Array.from({ length: tags }, (_, k) => encodeScalarEvent(1_700_000_000 + k, k, `m/${k}`, k / 4)),
      // one long series among them: its columns grow into buffers of their own
      ...Array.from({ length: 100 }, (_, k) => encodeScalarEvent(1_700_010_000 + k, k, 'long', k)),
    ]);
    const run = await loadRun('.', dir, [file]);
    expect(run.scalars.size).toBe(tags + 1);
    const buffers = new Set<ArrayBufferLike>();
    for (const s of run.scalars.values()) for (const c of [s.steps, s.wallTimes, s.values]) buffers.add(c.buffer);
    // Before: three buffers per tag (9003). Now a few 64 KB slabs, plus the long series' own three.
    expect(buffers.size).toBeLessThan(10);
    for (const k of [0, 1, 1234, tags - 1]) {
      const s = run.scalars.get(`m/${k}`)!;
      expect([s.length, s.steps[0], s.values[0], s.wallTimes[0]]).toEqual([1, k, k / 4, 1_700_000_000 + k]);
      expect([s.steps.length, s.values.length]).toEqual([1, 1]);
    }
    const long = run.scalars.get('long')!;
    expect([long.length, long.steps.length, long.values[99]]).toEqual([100, 100, 99]);
  });
});
