// Mutation tests over real fixture files: whatever is done to the bytes, the record layer never
// throws, never hangs, never trusts a length it cannot back with bytes, and returns every record
// that lies before the first damaged byte.
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maskedCrc32c } from './crc32c.js';
import type { RecordDamage } from './damage.js';
import { readRecordFile } from './read-file.js';
import { scanBuffer } from './scan.js';
import { frameRecord } from './write-records.js';

const FILES = {
  tbx: 'fixtures/wild/tensorboardX-allen-q/runs/May18_13-54-19_NIGSA774680/events.out.tfevents.1526615659.NIGSA774680',
  lightning: 'fixtures/wild/lightning-NeRF-from-scratch/lightning_logs/version_0/events.out.tfevents.1679899924.PWRD-20211216RH.5676.0',
  reducer: 'fixtures/wild/tensorboard-reducer/tests/runs/strict/run_1/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.0',
  kohyaEmpty: 'fixtures/kohya/empty/20261129140831/network_train/events.out.tfevents.1795961311.vm.6717.0',
  tbxOld: 'fixtures/wild/tensorboardX-allen-q/rnn/logs/rnn1/events.out.tfevents.1528182440.NIGSA774680',
  hf: 'fixtures/wild/hf-trainer-AguLeon/runs/run0/events.out.tfevents.1744227257.b-3-167.5388.0',
  guild: 'fixtures/wild/guildai/guild/tests/samples/filter-runs/2dc1529ba06c46fda486395a61475dbe/.guild/events.out.tfevents.1662041974.calusa.97126.2',
};
const KOHYA = 'fixtures/kohya/sweep/adamw/glypha-adamw-20261129140106/network_train/events.out.tfevents.1795960866.vm.5635.0';

interface Rec {
  offset: number;
  end: number;
  key: string;
}

function scan(bytes: Uint8Array) {
  const records: Rec[] = [];
  const damage: RecordDamage[] = [];
  const state = scanBuffer(bytes, {
    record: (b, s, e, offset) => records.push({ offset, end: offset + (e - s) + 16, key: `${offset}:${Buffer.from(b.subarray(s, e)).toString('base64')}` }),
    damage: (d) => damage.push(d),
  });
  return { records, damage, state };
}

function shifted(records: Rec[], by: number): Rec[] {
  return records.map((r) => ({ offset: r.offset + by, end: r.end + by, key: `${r.offset + by}:${r.key.slice(r.key.indexOf(':') + 1)}` }));
}

/** The first ~3 KB of a real kohya log, cut at a record boundary: small enough to cut at every offset. */
function kohyaPrefix(): Uint8Array {
  const bytes = new Uint8Array(readFileSync(KOHYA));
  const end = scan(bytes).records.find((r) => r.end >= 3000)!.end;
  return bytes.slice(0, end);
}

const corpus: { name: string; bytes: Uint8Array; records: Rec[] }[] = [
  ...Object.entries(FILES).map(([name, path]) => ({ name, bytes: new Uint8Array(readFileSync(path)) })),
  { name: 'kohyaPrefix', bytes: kohyaPrefix() },
].map((f) => {
  const { records, damage } = scan(f.bytes);
  if (damage.length > 0) throw new Error(`fixture ${f.name} is expected to be clean`);
  return { ...f, records };
});

const keysOf = (records: Rec[]) => records.map((r) => r.key);
const fileArb = fc.integer({ min: 0, max: corpus.length - 1 }).map((i) => corpus[i]);

/** Common to every mutation: nothing thrown, no record claims more bytes than the file has. */
function sane(bytes: Uint8Array, got: ReturnType<typeof scan>): void {
  expect(got.records.length * 16).toBeLessThanOrEqual(bytes.length);
  for (const r of got.records) expect(r.end).toBeLessThanOrEqual(bytes.length);
  expect(got.state.resumeAt).toBeLessThanOrEqual(bytes.length);
}

/** Every original record that ends at or before `firstDamage` comes back, in order, first. */
function keepsPrefix(original: Rec[], got: Rec[], firstDamage: number): void {
  const before = original.filter((r) => r.end <= firstDamage);
  expect(keysOf(got.slice(0, before.length))).toEqual(keysOf(before));
}

describe('record layer under mutation (fast-check, real fixture files)', () => {
  it('bit flips: records before the first flip survive, every untouched record is found again, nothing invented', () => {
    fc.assert(
      fc.property(fileArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 3 }), (file, flips) => {
        const bytes = file.bytes.slice();
        const positions = flips.map(([p, bit]) => {
          const at = p % bytes.length;
          bytes[at] ^= 1 << bit;
          return at;
        });
        const changed = positions.filter((p) => bytes[p] !== file.bytes[p]);
        const got = scan(bytes);
        sane(bytes, got);
        if (changed.length === 0) return; // two flips cancelled out
        const first = Math.min(...changed);
        keepsPrefix(file.records, got.records, first);
        const originalKeys = new Set(keysOf(file.records));
        for (const r of got.records) expect(originalKeys.has(r.key)).toBe(true);
        const untouched = file.records.filter((r) => !changed.some((p) => p >= r.offset && p < r.end));
        const found = new Set(keysOf(got.records));
        for (const r of untouched) expect(found.has(r.key)).toBe(true);
        // CRC-32C catches every 1-3 bit error in records this short: the damage is always reported.
        expect(got.damage.length).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
  });

  it('truncation at every offset: exactly the whole records before the cut, and one truncated report', () => {
    for (const name of ['tbx', 'lightning', 'kohyaEmpty', 'kohyaPrefix']) {
      const file = corpus.find((f) => f.name === name)!;
      for (let cut = 0; cut <= file.bytes.length; cut++) {
        const got = scan(file.bytes.subarray(0, cut));
        const whole = file.records.filter((r) => r.end <= cut);
        expect(keysOf(got.records)).toEqual(keysOf(whole));
        const boundary = whole.length > 0 ? whole[whole.length - 1].end : 0;
        expect(got.state.resumeAt).toBe(boundary);
        if (cut === boundary) expect(got.damage).toEqual([]);
        else expect(got.damage).toEqual([expect.objectContaining({ kind: 'truncated', offset: boundary, bytes: cut - boundary })]);
      }
    }
  });

  it('length fields up to 2^64 − 1, with and without a matching length CRC: no allocation, the prefix survives', () => {
    const lengthArb = fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.constantFrom(0n, 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n),
      fc.bigInt({ min: 0n, max: 20_000n }),
    );
    fc.assert(
      fc.property(fileArb, fc.nat(), lengthArb, fc.boolean(), (file, k, length, fixCrc) => {
        const bytes = file.bytes.slice();
        const target = file.records[k % file.records.length];
        new DataView(bytes.buffer).setBigUint64(target.offset, length, true);
        if (fixCrc) new DataView(bytes.buffer).setUint32(target.offset + 8, maskedCrc32c(bytes, target.offset, target.offset + 8), true);
        const got = scan(bytes);
        sane(bytes, got);
        keepsPrefix(file.records, got.records, target.offset);
        const original = BigInt(target.end - target.offset - 16);
        if (length === original) return;
        expect(got.damage.length).toBeGreaterThan(0);
        if (!fixCrc) {
          // The header no longer verifies: resynchronisation finds every other record again.
          expect(keysOf(got.records)).toEqual(keysOf(file.records.filter((r) => r !== target)));
        } else if (length + 16n > BigInt(bytes.length - target.offset)) {
          // A verified length past the end of the file is never an allocation. When intact records
          // follow it was forged: they are all kept and the gap is reported as skipped bytes; only
          // on the last record is it a truncated tail.
          expect(keysOf(got.records)).toEqual(keysOf(file.records.filter((r) => r !== target)));
          const next = file.records.find((r) => r.offset > target.offset);
          if (next) expect(got.damage).toEqual([expect.objectContaining({ kind: 'skipped_bytes', offset: target.offset, end: next.offset })]);
          else expect(got.damage).toEqual([expect.objectContaining({ kind: 'truncated', offset: target.offset })]);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('zero-length records inserted between records are returned where they are', () => {
    fc.assert(
      fc.property(fileArb, fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 5 }), (file, picks) => {
        const at = new Set(picks.map((p) => p % (file.records.length + 1)));
        const empty = frameRecord(new Uint8Array(0));
        const parts: Uint8Array[] = [];
        const expected: string[] = [];
        let offset = 0;
        file.records.forEach((r, i) => {
          if (at.has(i)) {
            parts.push(empty);
            expected.push(`${offset}:`);
            offset += 16;
          }
          parts.push(file.bytes.subarray(r.offset, r.end));
          expected.push(`${offset}:${r.key.slice(r.key.indexOf(':') + 1)}`);
          offset += r.end - r.offset;
        });
        if (at.has(file.records.length)) {
          parts.push(empty);
          expected.push(`${offset}:`);
        }
        const got = scan(Buffer.concat(parts));
        expect(got.damage).toEqual([]);
        expect(keysOf(got.records)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('concatenated files: every record of each, even when the first one is cut mid-record', () => {
    fc.assert(
      fc.property(fc.array(fileArb, { minLength: 2, maxLength: 4 }), fc.nat(), fc.boolean(), (files, cutAt, cutFirst) => {
        const first = cutFirst ? files[0].bytes.subarray(0, cutAt % (files[0].bytes.length + 1)) : files[0].bytes;
        const bytes = Buffer.concat([first, ...files.slice(1).map((f) => f.bytes)]);
        const got = scan(bytes);
        sane(bytes, got);
        if (!cutFirst) {
          let at = 0;
          const expected = files.flatMap((f) => {
            const r = shifted(f.records, at);
            at += f.bytes.length;
            return r;
          });
          expect(keysOf(got.records)).toEqual(keysOf(expected));
          expect(got.damage).toEqual([]);
        } else {
          keepsPrefix(files[0].records, got.records, first.length);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('garbage prefixes: one skipped range at the start, then every record', () => {
    fc.assert(
      fc.property(fileArb, fc.uint8Array({ minLength: 1, maxLength: 300 }), (file, garbage) => {
        const bytes = Buffer.concat([garbage, file.bytes]);
        const got = scan(bytes);
        sane(bytes, got);
        expect(keysOf(got.records)).toEqual(keysOf(shifted(file.records, garbage.length)));
        expect(got.damage).toEqual([{ kind: 'skipped_bytes', offset: 0, end: garbage.length, detail: 'no TFRecord framing at the start of the file' }]);
      }),
      { numRuns: 200 },
    );
  });

  it('random bytes of any length: never throws, finds nothing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 3000 }), (bytes) => {
        const got = scan(bytes);
        sane(bytes, got);
        expect(got.records).toEqual([]);
        if (bytes.length > 0) expect(got.damage).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('streaming reader under mutation (real files on disk, tiny chunks)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tblens-robust-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  it('same records and damage as the in-memory scan, whatever the mutation and chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fileArb,
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 4 }),
        fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
        fc.nat(),
        fc.constantFrom(64, 97, 256, 1000, 1 << 16),
        async (file, edits, forgedLength, cut, chunkSize) => {
          let bytes = file.bytes.slice();
          for (const [p, v] of edits) bytes[p % bytes.length] = v;
          if (forgedLength !== undefined) {
            const target = file.records[cut % file.records.length];
            new DataView(bytes.buffer).setBigUint64(target.offset, forgedLength, true);
            new DataView(bytes.buffer).setUint32(target.offset + 8, maskedCrc32c(bytes, target.offset, target.offset + 8), true);
          }
          if (cut % 3 === 0) bytes = bytes.subarray(0, cut % (bytes.length + 1));
          const expected = scan(bytes);
          const path = join(dir, `events.out.tfevents.${n++}`);
          writeFileSync(path, bytes);
          const records: string[] = [];
          const damage: RecordDamage[] = [];
          const result = await readRecordFile(
            path,
            { record: (b, s, e, offset) => records.push(`${offset}:${Buffer.from(b.subarray(s, e)).toString('base64')}`), damage: (d) => damage.push(d) },
            { chunkSize },
          );
          // ok: true also proves no impossible buffer was requested (that would throw and come back as an error).
          expect(result).toMatchObject({ ok: true, size: bytes.length, records: expected.records.length, resumeAt: expected.state.resumeAt });
          expect(records).toEqual(keysOf(expected.records));
          expect(damage).toEqual(expected.damage);
        },
      ),
      { numRuns: 150 },
    );
  });
});
