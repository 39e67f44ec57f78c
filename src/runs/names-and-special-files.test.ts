// Names that are not UTF-8 are read like any other (TensorBoard reads them), and FIFOs or devices
// named like event files are reported as skipped, never opened (opening a FIFO blocks).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nameFromBytes, fsPath, displayPath } from '../io/raw-path.js';
import { readRecordFile } from '../tfrecord/read-file.js';
import { problemLines } from './damage-lines.js';
import { loadLogdir } from './load-logdir.js';
import { scanTree, newTreeCache } from './follow/tree-cache.js';
import { scalarRecords } from '../../test/support/craft-records.js';

const posix = process.platform !== 'win32';
const dir = mkdtempSync(join(tmpdir(), 'tblens-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytesPath = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('surrogate-escaped names', () => {
  it('round-trip any bytes exactly, and show invalid ones as \\xNN', () => {
    for (const raw of [
      [0x61, 0xff, 0xfe],
      [0xe2, 0x82],
      [0xed, 0xa0, 0x80],
      [0xf0, 0x9f, 0x98, 0x80, 0xc0, 0x80],
      [0x63, 0x61, 0x66, 0xc3, 0xa9],
    ]) {
      const name = nameFromBytes(Uint8Array.from(raw));
      expect(Buffer.from(fsPath(name) as Buffer | string)).toEqual(Buffer.from(raw));
    }
    expect(displayPath(nameFromBytes(Uint8Array.from([0x72, 0xff, 0x2f, 0xc3, 0xa9])))).toBe('r\\xff/é');
    expect(fsPath('plain/é')).toBe('plain/é');
  });
});

describe.runIf(posix)('run directories and event files whose names are not UTF-8', () => {
  it('are read, with every value, and named with \\xNN', async () => {
    const root = join(dir, 'latin1');
    mkdirSync(root);
    mkdirSync(bytesPath(root, '/run-', [0xe9, 0xff]));
    writeFileSync(bytesPath(root, '/run-', [0xe9, 0xff], '/events.out.tfevents.1700000000.h', [0xfe]), scalarRecords('loss', 30));
    const loaded = await loadLogdir(root);
    if (!loaded.ok) throw new Error(loaded.error);
    const [run] = loaded.root.runs;
    expect(run.name).toBe('run-\\xe9\\xff');
    expect(run.files.map((f) => [f.error, f.damage])).toEqual([[undefined, []]]);
    expect(run.scalars.get('loss')?.length).toBe(30);
    expect(problemLines([loaded.root])).toEqual([]);
    // watch's tree walk finds the same run
    const tree = scanTree(newTreeCache(), root);
    expect(tree.ok && tree.runs.map((r) => [r.name, r.files.length])).toEqual([['run-\\xe9\\xff', 1]]);
  });
});

describe.runIf(posix)('FIFOs and devices named like event files', () => {
  it('are skipped with a reason, never opened, and the rest of the run still loads', async () => {
    const root = join(dir, 'fifo');
    mkdirSync(root);
    writeFileSync(join(root, 'events.out.tfevents.1700000000.a'), scalarRecords('loss', 5));
    execFileSync('mkfifo', [join(root, 'events.out.tfevents.1700000001.fifo')]);
    symlinkSync('/dev/null', join(root, 'events.out.tfevents.1700000002.null'));
    const loaded = await loadLogdir(root);
    if (!loaded.ok) throw new Error(loaded.error);
    expect(loaded.root.runs.map((r) => r.scalars.get('loss')?.length)).toEqual([5]);
    expect(loaded.root.skipped).toEqual(
      [
        { path: join(root, 'events.out.tfevents.1700000001.fifo'), reason: 'not a regular file (FIFO); not opened' },
        { path: join(root, 'events.out.tfevents.1700000002.null'), reason: 'not a regular file (character device); not opened' },
      ].sort((a, b) => a.path.localeCompare(b.path)),
    );
    expect(problemLines([loaded.root])).toContain(`${join(root, 'events.out.tfevents.1700000001.fifo')}: skipped (not a regular file (FIFO); not opened)`);
    const tree = scanTree(newTreeCache(), root);
    expect(tree.ok && tree.skipped.map((s) => s.reason).sort()).toEqual([
      'not a regular file (FIFO); not opened',
      'not a regular file (character device); not opened',
    ]);
  });

  it('reading a FIFO directly returns at once with an error instead of blocking', async () => {
    const fifo = join(dir, 'events.out.tfevents.direct');
    execFileSync('mkfifo', [fifo]);
    const result = await readRecordFile(fifo, { record() {}, damage() {} });
    expect(result).toEqual({ ok: false, error: 'not a regular file' });
    const loaded = await loadLogdir(fifo);
    expect(loaded).toEqual({ ok: false, error: `${fifo}: not a regular file or directory (FIFO)` });
  });
});
