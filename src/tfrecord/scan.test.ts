// Each kind of damage the record layer handles, on real fixture files and on bytes derived from them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeDamage, type RecordDamage } from './damage.js';
import { readRecordFile } from './read-file.js';
import { resyncWork, scanBuffer } from './scan.js';
import { forgedLengthMidFile, resyncTrap } from '../../test/support/craft-records.js';
import { frameRecord, frameRecords } from './write-records.js';

const KOHYA = 'fixtures/kohya/sweep/lion/glypha-lion-20261129140809/network_train/events.out.tfevents.1795961289.vm.6711.0';
const KOHYA_CORRUPT = 'fixtures/kohya/corrupt-crc/glypha-lion-20261129140809/network_train/events.out.tfevents.1795961289.vm.6711.0';
const KOHYA_TRUNCATED = 'fixtures/kohya/truncated/glypha-adamw-20261129140106/network_train/events.out.tfevents.1795960866.vm.5635.0';
const KOHYA_FULL = 'fixtures/kohya/sweep/adamw/glypha-adamw-20261129140106/network_train/events.out.tfevents.1795960866.vm.5635.0';
const TBX = 'fixtures/wild/tensorboardX-allen-q/runs/May18_13-54-19_NIGSA774680/events.out.tfevents.1526615659.NIGSA774680';

interface Rec {
  offset: number;
  bytes: Uint8Array;
}

/** Records as `offset:base64` strings: cheap to compare in bulk, readable in a diff. */
const keys = (records: Rec[]) => records.map((r) => `${r.offset}:${Buffer.from(r.bytes).toString('base64')}`);

function scan(bytes: Uint8Array) {
  const records: Rec[] = [];
  const damage: RecordDamage[] = [];
  const state = scanBuffer(bytes, {
    record: (b, s, e, offset) => records.push({ offset, bytes: b.slice(s, e) }),
    damage: (d) => damage.push(d),
  });
  return { records, damage, state };
}

const dir = mkdtempSync(join(tmpdir(), 'tblens-scan-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;

async function readFile(bytes: Uint8Array, chunkSize?: number) {
  const path = join(dir, `events.out.tfevents.${fileCount++}`);
  writeFileSync(path, bytes);
  const records: Rec[] = [];
  const damage: RecordDamage[] = [];
  const result = await readRecordFile(
    path,
    { record: (b, s, e, offset) => records.push({ offset, bytes: b.slice(s, e) }), damage: (d) => damage.push(d) },
    { chunkSize },
  );
  return { records, damage, result };
}

const load = (path: string) => new Uint8Array(readFileSync(path));

describe('clean files', () => {
  it('a real kohya log: every record, no damage, resume at the end', async () => {
    const bytes = load(KOHYA);
    const { records, damage, result } = await readFile(bytes);
    expect(damage).toEqual([]);
    expect(records).toHaveLength(3016);
    expect(result).toMatchObject({ ok: true, size: bytes.length, resumeAt: bytes.length, records: 3016, damaged: false });
    // Records tile the file exactly.
    let at = 0;
    for (const r of records) {
      expect(r.offset).toBe(at);
      at += r.bytes.length + 16;
    }
    expect(at).toBe(bytes.length);
  });

  it('0 bytes is a valid, empty event file', async () => {
    const { records, damage, result } = await readFile(new Uint8Array(0));
    expect(records).toEqual([]);
    expect(damage).toEqual([]);
    expect(result).toMatchObject({ ok: true, size: 0, records: 0, damaged: false });
  });

  it('zero-length records are records', () => {
    const bytes = frameRecords([new Uint8Array(0), new Uint8Array([8, 1]), new Uint8Array(0)]);
    const { records, damage } = scan(bytes);
    expect(damage).toEqual([]);
    expect(records.map((r) => [r.offset, r.bytes.length])).toEqual([
      [0, 0],
      [16, 2],
      [34, 0],
    ]);
  });
});

describe('truncated tail', () => {
  it('the real truncated kohya log keeps everything before the cut and reports its offset', async () => {
    const cut = load(KOHYA_TRUNCATED);
    const full = scan(load(KOHYA_FULL)).records;
    const { records, damage, result } = await readFile(cut);
    expect(keys(records)).toEqual(keys(full.slice(0, records.length)));
    expect(records).toHaveLength(12015);
    expect(damage).toEqual([{ kind: 'truncated', offset: 603252, bytes: 24, detail: 'record of 48 bytes, only 24 present' }]);
    expect(result).toMatchObject({ ok: true, resumeAt: 603252, damaged: true });
  });

  it('a cut inside the header of a record', () => {
    const bytes = load(TBX);
    const all = scan(bytes).records;
    const at = all[10].offset + 5;
    const { records, damage } = scan(bytes.subarray(0, at));
    expect(keys(records)).toEqual(keys(all.slice(0, 10)));
    expect(damage).toEqual([{ kind: 'truncated', offset: all[10].offset, bytes: 5, detail: 'record header of 12 bytes, only 5 present' }]);
  });
});

describe('payload CRC error', () => {
  it('the real corrupt-crc kohya log skips that one record and continues', async () => {
    const clean = scan(load(KOHYA)).records;
    const { records, damage, result } = await readFile(load(KOHYA_CORRUPT));
    expect(damage).toEqual([{ kind: 'crc_error', offset: 75492, length: 51 }]);
    const lost = clean.findIndex((r) => r.offset === 75492);
    expect(lost).toBeGreaterThan(0);
    expect(keys(records)).toEqual(keys([...clean.slice(0, lost), ...clean.slice(lost + 1)]));
    expect(result).toMatchObject({ ok: true, records: 3015, damaged: true });
    expect(describeDamage(damage[0])).toBe('payload CRC mismatch at byte 75492 (record of 51 bytes skipped)');
  });
});

describe('bad length CRC', () => {
  it('resynchronises at the next verified record and reports the skipped byte range', () => {
    const bytes = load(TBX).slice();
    const clean = scan(bytes).records;
    const k = 7;
    bytes[clean[k].offset + 2] ^= 0x10; // inside the length field
    const { records, damage } = scan(bytes);
    expect(damage).toEqual([{ kind: 'skipped_bytes', offset: clean[k].offset, end: clean[k + 1].offset, detail: 'bad record length CRC' }]);
    expect(keys(records)).toEqual(keys([...clean.slice(0, k), ...clean.slice(k + 1)]));
    expect(describeDamage(damage[0])).toBe(
      `bad record length CRC at byte ${clean[k].offset}; skipped ${clean[k + 1].offset - clean[k].offset} bytes to byte ${clean[k + 1].offset}`,
    );
  });

  it('garbage in the middle of a file is skipped as one range', () => {
    const clean = load(TBX);
    const records = scan(clean).records;
    const at = records[3].offset;
    const garbage = new Uint8Array(100).map((_, i) => (i * 97 + 13) & 0xff);
    const bytes = new Uint8Array([...clean.subarray(0, at), ...garbage, ...clean.subarray(at)]);
    const got = scan(bytes);
    expect(got.damage).toEqual([{ kind: 'skipped_bytes', offset: at, end: at + 100, detail: 'bad record length CRC' }]);
    expect(got.records.map((r) => r.offset)).toEqual(records.map((r) => (r.offset < at ? r.offset : r.offset + 100)));
  });

  it('a garbage prefix is reported as missing framing at the start', () => {
    const clean = load(TBX);
    const bytes = new Uint8Array([...new TextEncoder().encode('#!junk header\n'), ...clean]);
    const got = scan(bytes);
    expect(got.damage).toEqual([{ kind: 'skipped_bytes', offset: 0, end: 14, detail: 'no TFRecord framing at the start of the file' }]);
    expect(got.records).toHaveLength(scan(clean).records.length);
  });
});

describe('not an event file', () => {
  it('a git-lfs pointer gives one clear message and no records', async () => {
    const text = 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n';
    const { records, damage, result } = await readFile(new TextEncoder().encode(text));
    expect(records).toEqual([]);
    expect(damage).toEqual([{ kind: 'not_event_file', offset: 0, detail: 'git-lfs pointer, content not present' }]);
    expect(result).toMatchObject({ ok: true, damaged: true });
  });

  it('random bytes give one clear message and no records', async () => {
    let x = 12345;
    const bytes = new Uint8Array(5000).map(() => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) & 0xff);
    const { records, damage } = await readFile(bytes, 333);
    expect(records).toEqual([]);
    expect(damage).toEqual([{ kind: 'not_event_file', offset: 0, detail: 'no valid TFRecord framing anywhere in the file' }]);
    expect(describeDamage(damage[0])).toBe('not an event file (no valid TFRecord framing anywhere in the file) at byte 0');
  });

  it('a missing file is an I/O error, not damage', async () => {
    const result = await readRecordFile(join(dir, 'nope.tfevents'), { record() {}, damage() {} });
    expect(result).toEqual({ ok: false, error: 'no such file' });
  });
});

describe('streaming across chunk boundaries', () => {
  const damaged = (() => {
    const bytes = load(KOHYA_CORRUPT).subarray(0, 80_000).slice();
    bytes[20_000] ^= 1; // a length or payload byte somewhere: one more damage
    return new Uint8Array([...bytes, ...new Uint8Array(37).fill(0xab), ...frameRecord(new Uint8Array(300).fill(7)), 1, 2, 3]);
  })();

  for (const [name, bytes] of [
    ['a clean kohya log', load(KOHYA)],
    ['a damaged file (CRC error, flipped byte, garbage, truncated tail)', damaged],
  ] as const) {
    it(`${name}: small chunks give the same records and damage as one read`, async () => {
      const whole = scan(bytes);
      for (const chunkSize of [64, 65, 100, 333, 4096, 1 << 20]) {
        const streamed = await readFile(bytes, chunkSize);
        expect(keys(streamed.records)).toEqual(keys(whole.records));
        expect(streamed.damage).toEqual(whole.damage);
        expect(streamed.result).toMatchObject({ ok: true, records: whole.records.length, resumeAt: whole.state.resumeAt });
      }
    });
  }

  it('a record larger than the chunk size', async () => {
    const big = frameRecords([new Uint8Array(1000).fill(1), new Uint8Array(5000).fill(2), new Uint8Array(3)]);
    const streamed = await readFile(big, 64);
    expect(streamed.records.map((r) => r.bytes.length)).toEqual([1000, 5000, 3]);
    expect(streamed.damage).toEqual([]);
  });

  it('resumes from a start offset, as watch mode does', async () => {
    const bytes = load(TBX);
    const all = scan(bytes).records;
    const path = join(dir, 'events.out.tfevents.resume');
    writeFileSync(path, bytes);
    const records: number[] = [];
    const result = await readRecordFile(path, { record: (_b, _s, _e, offset) => records.push(offset), damage() {} }, { start: all[20].offset, chunkSize: 64 });
    expect(records).toEqual(all.slice(20).map((r) => r.offset));
    expect(result).toMatchObject({ ok: true, resumeAt: bytes.length });
  });
});

describe('hostile framing (issue 9)', () => {
  it('resynchronising over forged headers every 12 bytes, each claiming 1 MB, costs work linear in the file size', async () => {
    const { bytes, trapAt, tailAt } = resyncTrap(2 << 20);
    const whole = scan(bytes);
    expect(whole.records).toHaveLength(21);
    expect(whole.damage).toEqual([{ kind: 'skipped_bytes', offset: trapAt, end: tailAt, detail: 'bad record length CRC' }]);
    const work = resyncWork(whole.state);
    // Every forged header whose claim fits the file is a candidate (~87 k of them); hashing each
    // one's megabyte afresh would be ~9e10 bytes. The prefix chain hashes each byte once, plus under 16 bytes per candidate.
    expect(work.candidates).toBeGreaterThan(80_000);
    expect(work.hashedBytes).toBeLessThan(2 * bytes.length);
    for (const chunkSize of [65_536, 1 << 20]) {
      const streamed = await readFile(bytes, chunkSize);
      expect(keys(streamed.records)).toEqual(keys(whole.records));
      expect(streamed.damage).toEqual(whole.damage);
      if (!streamed.result.ok) throw new Error(streamed.result.error);
      expect(streamed.result.resync.hashedBytes).toBeLessThan(2 * bytes.length);
    }
  });

  it('the record found after forged headers may itself be long: its payload CRC comes from the prefix chain', () => {
    const long = frameRecord(new Uint8Array(50_000).map((_, k) => k * 31));
    const { bytes, tailAt } = resyncTrap(300_000, 100_000, long);
    const got = scan(bytes);
    expect(got.records.map((r) => r.offset)).toContain(tailAt);
    expect(got.records.at(-1)?.bytes).toEqual(long.subarray(12, long.length - 4));
    expect(got.damage).toHaveLength(1);
  });

  it('short forged claims are hashed directly, still a bounded cost per byte', () => {
    const { bytes } = resyncTrap(200_000, 40);
    const got = scan(bytes);
    expect(got.records).toHaveLength(21);
    expect(resyncWork(got.state).hashedBytes).toBeLessThan(4 * bytes.length);
  });

  it('a verified length past the end of the file with intact records after it: those records are kept, the gap is damage', async () => {
    const { bytes, forgedAt, resumesAt } = forgedLengthMidFile(400);
    expect(bytes.length - resumesAt).toBeGreaterThan(10_000);
    const got = scan(bytes);
    expect(got.records).toHaveLength(421);
    expect(got.damage).toEqual([
      {
        kind: 'skipped_bytes',
        offset: forgedAt,
        end: resumesAt,
        detail: `record length reaching past the end of the file (record of ${(1 << 30) + 16} bytes, only ${bytes.length - forgedAt} present)`,
      },
    ]);
    expect(got.state.resumeAt).toBe(bytes.length);
    for (const chunkSize of [64, 4096]) {
      const streamed = await readFile(bytes, chunkSize);
      expect(keys(streamed.records)).toEqual(keys(got.records));
      expect(streamed.damage).toEqual(got.damage);
    }
  });

  it('the same length on the last record is still a cut-off tail, resumed at its offset', () => {
    const { bytes, forgedAt } = forgedLengthMidFile(0);
    const got = scan(bytes);
    expect(got.records).toHaveLength(21);
    expect(got.damage).toEqual([expect.objectContaining({ kind: 'truncated', offset: forgedAt, bytes: 12 })]);
    expect(got.state.resumeAt).toBe(forgedAt);
  });
});
