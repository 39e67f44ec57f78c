// The loader above the record layer: damaged and hostile files never throw out of the library,
// damage is reported with file and byte offset, and the other files of a run still load.
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DT } from '../events/dtype.js';
import { encodeEvent } from '../events/encode-event.js';
import { scanBuffer } from '../tfrecord/scan.js';
import { frameRecords } from '../tfrecord/write-records.js';
import { problemLines } from './damage-lines.js';
import { loadEventFile, loadLogdir } from './load-logdir.js';
import { readEvents } from './read-events.js';
import type { Run } from './types.js';

const SOURCES = [
  'fixtures/kohya/sweep/adamw/glypha-adamw-20261129140106/network_train/events.out.tfevents.1795960866.vm.5635.0',
  'fixtures/wild/lightning-NeRF-from-scratch/lightning_logs/version_0/events.out.tfevents.1679899924.PWRD-20211216RH.5676.0',
  'fixtures/wild/hf-trainer-AguLeon/runs/run0/events.out.tfevents.1744227257.b-3-167.5388.0',
  'fixtures/wild/tensorboardX-allen-q/runs/May18_11-29-46_NIGSA774680Net1/events.out.tfevents.1526606986.NIGSA774680',
  'fixtures/wild/guildai/guild/tests/samples/projects/model-proxies/logs/events.out.tfevents.1548797801.omaha',
];

/** Real payloads (scalars, hparams, text, images, graphs) plus TF2-style tensor scalars from the writer. */
function payloadCorpus(): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  for (const path of SOURCES) {
    const bytes = new Uint8Array(readFileSync(path));
    let n = 0;
    scanBuffer(bytes, {
      record(b, s, e) {
        if (n++ < 60 || e - s > 200) payloads.push(b.slice(s, Math.min(e, s + 4096)));
      },
      damage() {},
    });
  }
  const content = new Uint8Array(new Float32Array([0.5]).buffer);
  payloads.push(
    encodeEvent({
      wallTime: 1,
      step: 3,
      summary: [{ tag: 'acc', tensor: { dtype: DT.FLOAT, shape: [], tensorContent: content }, metadata: { pluginName: 'scalars' } }],
    }),
    encodeEvent({ step: -2, summary: [{ tag: 'h', tensor: { dtype: DT.HALF, halfVal: [0x3c00] }, metadata: { dataClass: 1 } }] }),
    encodeEvent({ step: 2 ** 60, summary: [{ tag: 'd', tensor: { dtype: DT.DOUBLE, shape: [1], doubleVal: [2.5] } }] }),
  );
  return payloads;
}

const corpus = payloadCorpus();
const dir = mkdtempSync(join(tmpdir(), 'tblens-load-damage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;

function seriesOf(run: Run, prefix: string) {
  return [...run.scalars].filter(([tag]) => tag.startsWith(prefix)).map(([tag, s]) => [tag, Array.from(s.steps), Array.from(s.values)]);
}

describe('decoding hostile payloads inside valid framing', () => {
  it('mutated real payloads never throw: every record is an event or a reported bad_event', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            pick: fc.nat(),
            edits: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 6 }),
            cut: fc.option(fc.nat(), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        async (specs) => {
          const payloads = specs.map(({ pick, edits, cut }) => {
            let p = corpus[pick % corpus.length].slice();
            for (const [at, v] of edits) if (p.length > 0) p[at % p.length] = v;
            if (cut !== undefined) p = p.subarray(0, cut % (p.length + 1));
            return p;
          });
          const path = join(dir, `events.out.tfevents.${count++}`);
          writeFileSync(path, frameRecords(payloads));
          const run = await loadEventFile(path);
          const file = run.files[0];
          expect(file.records).toBe(payloads.length);
          const bad = file.damage.filter((d) => d.kind === 'bad_event');
          expect(file.events + bad.length).toBe(payloads.length);
          for (const d of file.damage) expect(d.offset).toBeLessThan(file.size);
          for (const s of run.scalars.values()) {
            expect(s.steps.length).toBe(s.length);
            for (let i = 1; i < s.length; i++) expect(s.steps[i]).toBeGreaterThan(s.steps[i - 1]);
          }
          let items = 0;
          for await (const item of readEvents(path, { chunkSize: 256 })) {
            expect(item.type).not.toBe('error');
            items++;
          }
          expect(items).toBe(payloads.length);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('random bytes as payloads never throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 120 }), { minLength: 1, maxLength: 30 }), async (payloads) => {
        const path = join(dir, `events.out.tfevents.${count++}`);
        writeFileSync(path, frameRecords(payloads));
        const run = await loadEventFile(path, { view: 'raw' });
        expect(run.files[0].records).toBe(payloads.length);
      }),
      { numRuns: 100 },
    );
  });
});

describe('a damaged file does not cost the run its other files', () => {
  const good = encodeGoodFile();

  function encodeGoodFile(): Uint8Array {
    const payloads = [encodeEvent({ wallTime: 1, fileVersion: 'brain.Event:2' })];
    for (let s = 1; s <= 50; s++) payloads.push(encodeEvent({ wallTime: 2 + s, step: s, summary: [{ tag: 'zz/other', simpleValue: s / 8 }] }));
    return frameRecords(payloads);
  }

  it('whatever is done to the first file, the second one loads in full and the damage names the first', async () => {
    const kohya = new Uint8Array(readFileSync(SOURCES[0])).subarray(0, 20_000);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
          fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
          fc.record({ kind: fc.constant('length' as const), at: fc.nat(), value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
          fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 500 }) }),
        ),
        async (m) => {
          let bytes: Uint8Array = kohya.slice();
          if (m.kind === 'flip') bytes[m.at % bytes.length] ^= 1 << m.bit;
          if (m.kind === 'cut') bytes = bytes.subarray(0, m.at % bytes.length);
          if (m.kind === 'length') new DataView(bytes.buffer).setBigUint64(0, m.value, true);
          if (m.kind === 'garbage') bytes = m.bytes;
          const runDir = join(dir, `run${count++}`);
          mkdirSync(runDir);
          writeFileSync(join(runDir, 'events.out.tfevents.1.a'), bytes);
          writeFileSync(join(runDir, 'events.out.tfevents.2.b'), good);
          const loaded = await loadLogdir(runDir);
          if (!loaded.ok) throw new Error(loaded.error);
          const run = loaded.root.runs[0];
          const other = run.scalars.get('zz/other')!;
          expect(Array.from(other.steps)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
          expect(run.files[1].damage).toEqual([]);
          for (const line of problemLines([loaded.root])) {
            expect(line.startsWith(join(runDir, 'events.out.tfevents.1.a'))).toBe(true);
            expect(line).toMatch(/at byte \d+|empty file/);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('git-lfs pointer, random bytes and 0-byte files: one clear line each, the good file loads', async () => {
    const runDir = join(dir, 'not-event-files');
    mkdirSync(runDir);
    writeFileSync(join(runDir, 'events.out.tfevents.1.lfs'), 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1234\n');
    let x = 7;
    writeFileSync(
      join(runDir, 'events.out.tfevents.2.random'),
      new Uint8Array(3000).map(() => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) & 0xff),
    );
    writeFileSync(join(runDir, 'events.out.tfevents.3.empty'), new Uint8Array(0));
    writeFileSync(join(runDir, 'events.out.tfevents.4.good'), good);
    const loaded = await loadLogdir(runDir);
    if (!loaded.ok) throw new Error(loaded.error);
    expect(problemLines([loaded.root])).toEqual([
      `${join(runDir, 'events.out.tfevents.1.lfs')}: not an event file (git-lfs pointer, content not present) at byte 0`,
      `${join(runDir, 'events.out.tfevents.2.random')}: not an event file (no valid TFRecord framing anywhere in the file) at byte 0`,
      `${join(runDir, 'events.out.tfevents.3.empty')}: empty file (0 bytes)`,
    ]);
    expect(seriesOf(loaded.root.runs[0], 'zz/')).toEqual([
      ['zz/other', Array.from({ length: 50 }, (_, i) => i + 1), Array.from({ length: 50 }, (_, i) => (i + 1) / 8)],
    ]);
  });
});
