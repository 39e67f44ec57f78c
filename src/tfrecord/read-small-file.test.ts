// The whole-file fast path must be indistinguishable from the streamed read it stands in for: same
// records, same damage, same result fields, on real files and on mutated ones (fast-check).
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecordDamage } from './damage.js';
import { readRecordFile } from './read-file.js';
import { readSmallRecordFile } from './read-small-file.js';
import type { RecordSink } from './scan.js';

const FILES = [
  'fixtures/kohya/sweep/adamw/glypha-adamw-20261129140106/network_train/events.out.tfevents.1795960866.vm.5635.0',
  'fixtures/kohya/empty/20261129140831/network_train/events.out.tfevents.1795961311.vm.6717.0',
  'fixtures/wild/tensorboardX-allen-q/runs/May18_13-54-19_NIGSA774680/events.out.tfevents.1526615659.NIGSA774680',
  'fixtures/wild/hf-trainer-AguLeon/runs/run0/events.out.tfevents.1744227257.b-3-167.5388.0',
].map((path) => new Uint8Array(readFileSync(path)));

function collector(): { sink: RecordSink; records: string[]; damage: RecordDamage[] } {
  const records: string[] = [];
  const damage: RecordDamage[] = [];
  return {
    sink: { record: (b, s, e, offset) => records.push(`${offset}:${Buffer.from(b.subarray(s, e)).toString('base64')}`), damage: (d) => damage.push(d) },
    records,
    damage,
  };
}

describe('readSmallRecordFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tblens-small-read-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  it('equals the streamed read on real files, bit-flipped, truncated and with garbage appended', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: FILES.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 4 }),
        fc.nat(),
        fc.uint8Array({ maxLength: 40 }),
        async (which, edits, cut, tail) => {
          let bytes = FILES[which].slice();
          for (const [p, v] of edits) bytes[p % bytes.length] = v;
          if (cut % 3 === 0) bytes = bytes.subarray(0, cut % (bytes.length + 1));
          bytes = new Uint8Array([...bytes, ...tail]);
          const path = join(dir, `events.out.tfevents.${n++}`);
          writeFileSync(path, bytes);
          const streamed = collector();
          const expected = await readRecordFile(path, streamed.sink);
          const whole = collector();
          const got = readSmallRecordFile(path, whole.sink);
          expect(got).toEqual(expected);
          expect(whole.records).toEqual(streamed.records);
          expect(whole.damage).toEqual(streamed.damage);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('leaves a file above the limit to the streamed read, reading nothing of it', () => {
    const path = join(dir, 'events.out.tfevents.big');
    writeFileSync(path, FILES[0]);
    const c = collector();
    expect(readSmallRecordFile(path, c.sink, FILES[0].length - 1)).toBeNull();
    expect(c.records).toEqual([]);
    expect(readSmallRecordFile(path, c.sink, FILES[0].length)).toMatchObject({ ok: true, size: FILES[0].length });
  });

  it('a missing file, a directory and an empty file come back as the streamed read reports them', async () => {
    const empty = join(dir, 'events.out.tfevents.empty');
    writeFileSync(empty, '');
    for (const path of [join(dir, 'absent'), dir, empty]) {
      expect(readSmallRecordFile(path, collector().sink)).toEqual(await readRecordFile(path, collector().sink));
    }
  });

  it.skipIf(process.platform === 'win32')('a FIFO in place of an event file is refused at once, not waited on', () => {
    const fifo = join(dir, 'events.out.tfevents.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(readSmallRecordFile(fifo, collector().sink)).toEqual({ ok: false, error: 'not a regular file' });
  });
});
