import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadLogdirs } from '../load-logdir.js';
import type { Run } from '../types.js';
import { newLogdirFollower, pollLogdir, snapshotLogdir } from './follow-logdir.js';
import type { FollowNote } from './notes.js';
import { comparable, prng, randomCuts } from '../../../test/support/follow-helpers.js';

function expectSameRuns(actual: Run[], expected: Run[], context: string): void {
  expect(comparable(actual), context).toEqual(comparable(expected));
}

const FIXTURES = join(import.meta.dirname, '../../../fixtures/kohya');
const ADAMW = 'sweep/adamw/glypha-adamw-20261129140106/network_train/events.out.tfevents.1795960866.vm.5635.0';
const RESUMED_DIR = 'resumed/glypha-resumed-20261129140452/network_train';
const RESUMED = ['events.out.tfevents.1795961092.vm.6651.0', 'events.out.tfevents.1795961311.vm.6715.0'];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tblens-follow-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function batch(root: string): Promise<Run[]> {
  const loaded = await loadLogdirs([root]);
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.roots[0].runs;
}

describe('following a log directory', () => {
  it('reads a file appended in chunks that split records, equal to a batch load after every poll', async () => {
    const bytes = readFileSync(join(FIXTURES, ADAMW));
    const runDir = join(dir, 'run-a', 'network_train');
    mkdirSync(runDir, { recursive: true });
    const target = join(runDir, 'events.out.tfevents.1795960866.vm.5635.0');
    writeFileSync(target, '');
    const follower = newLogdirFollower(dir);
    const cuts = randomCuts(bytes.length, 9000, prng(7));
    let written = 0;
    let partialTails = 0;
    for (const [i, cut] of cuts.entries()) {
      appendFileSync(target, bytes.subarray(written, cut));
      written = cut;
      await pollLogdir(follower);
      const run = follower.runs.get('run-a/network_train')!;
      if (run.files[0].tail) partialTails++;
      // Comparing with a batch load costs a full read: do it on a sample of the polls, and at the end.
      if (i % 5 === 0 || cut === bytes.length) expectSameRuns(snapshotLogdir(follower), await batch(dir), `after ${cut} bytes`);
    }
    expect(partialTails).toBeGreaterThan(cuts.length / 2);
    const final = snapshotLogdir(follower);
    expect(final[0].scalars.get('loss/current')!.length).toBe(3000);
    expectSameRuns(
      final,
      await batch(join(FIXTURES, 'sweep/adamw')).then((runs) => runs.map((r) => ({ ...r, name: 'run-a/network_train' }))),
      'equal to the fixture',
    );
  });

  it('re-reads a truncated or replaced file from byte 0 without doubling points, and says so', async () => {
    const bytes = readFileSync(join(FIXTURES, ADAMW));
    const runDir = join(dir, 'r');
    mkdirSync(runDir);
    const target = join(runDir, 'events.out.tfevents.1795960866.vm.5635.0');
    writeFileSync(target, bytes.subarray(0, 300_000));
    const follower = newLogdirFollower(dir);
    await pollLogdir(follower);
    const before = snapshotLogdir(follower)[0].scalars.get('loss/current')!.length;
    expect(before).toBeGreaterThan(100);

    // Truncated under the watcher (a trainer restarted into the same file name).
    truncateSync(target, 100_000);
    let notes = (await pollLogdir(follower)).notes;
    expect(notes.map((n) => n.kind)).toContain('file-reset');
    expectSameRuns(snapshotLogdir(follower), await batch(dir), 'after truncation');
    expect(snapshotLogdir(follower)[0].scalars.get('loss/current')!.length).toBeLessThan(before);

    // Replaced by another file (new inode) that is longer than what was read.
    const other = readFileSync(join(FIXTURES, 'sweep/lion/glypha-lion-20261129140809/network_train/events.out.tfevents.1795961289.vm.6711.0'));
    writeFileSync(join(dir, 'tmp'), other.subarray(0, 150_000));
    renameSync(join(dir, 'tmp'), target);
    notes = (await pollLogdir(follower)).notes;
    expect(notes.filter((n) => n.kind === 'file-reset')).toHaveLength(1);
    expectSameRuns(snapshotLogdir(follower), await batch(dir), 'after replacement');

    // Rewritten in place, same inode, larger: only the first bytes tell.
    writeFileSync(target, bytes.subarray(0, 200_000));
    notes = (await pollLogdir(follower)).notes;
    expect(notes.find((n): n is Extract<FollowNote, { kind: 'file-reset' }> => n.kind === 'file-reset')?.detail).toMatch(/first bytes|replaced|truncated/);
    expectSameRuns(snapshotLogdir(follower), await batch(dir), 'after in-place rewrite');
  });

  it('picks up new runs, new files, and an older file growing after a newer one (name order kept)', async () => {
    const follower = newLogdirFollower(dir);
    let result = await pollLogdir(follower);
    expect(result.notes.map((n) => n.kind)).toEqual([]);

    const src = join(FIXTURES, RESUMED_DIR);
    const a = readFileSync(join(src, RESUMED[0]));
    const b = readFileSync(join(src, RESUMED[1]));
    const runDir = join(dir, 'glypha-resumed-20261129140452', 'network_train');
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, RESUMED[0]), a.subarray(0, 40_000));
    result = await pollLogdir(follower);
    expect(result.notes.map((n) => n.kind)).toEqual(['new-run', 'new-file']);

    writeFileSync(join(runDir, RESUMED[1]), b.subarray(0, 30_000));
    result = await pollLogdir(follower);
    expect(result.notes.map((n) => n.kind)).toEqual(['new-file']);
    expectSameRuns(snapshotLogdir(follower), await batch(dir), 'two files');

    // The older file grows after the newer one was read: batch order puts these records first.
    appendFileSync(join(runDir, RESUMED[0]), a.subarray(40_000));
    result = await pollLogdir(follower);
    expect(result.notes.map((n) => n.kind)).toEqual(['reordered']);
    appendFileSync(join(runDir, RESUMED[1]), b.subarray(30_000));
    await pollLogdir(follower);
    expectSameRuns(snapshotLogdir(follower), await batch(dir), 'both complete');
    expectSameRuns(
      snapshotLogdir(follower),
      (await batch(join(FIXTURES, 'resumed'))).map((r) => ({ ...r, dir: runDir })),
      'equal to the fixture',
    );

    // A second run appears; an hparams-only side directory (kohya --log_config) folds into its parent.
    const second = join(dir, 'second');
    mkdirSync(second);
    cpSync(join(FIXTURES, 'no-te/20261129140520/network_train'), second, { recursive: true });
    result = await pollLogdir(follower);
    expect(result.notes.filter((n) => n.kind === 'new-run').map((n) => relative(dir, (n as { dir: string }).dir))).toEqual(['second']);
    expect(result.changed.map((r) => r.name)).toEqual(['second']);
    expectSameRuns(snapshotLogdir(follower), await batch(dir), 'second run');

    rmSync(second, { recursive: true });
    result = await pollLogdir(follower);
    expect(result.notes.map((n) => n.kind)).toEqual(['run-removed']);
  });

  it('waits for a log directory that does not exist yet', async () => {
    const follower = newLogdirFollower(join(dir, 'later'));
    expect((await pollLogdir(follower)).notes.map((n) => n.kind)).toEqual(['waiting']);
    expect((await pollLogdir(follower)).notes).toEqual([]);
    mkdirSync(join(dir, 'later', 'run'), { recursive: true });
    cpSync(join(FIXTURES, ADAMW), join(dir, 'later', 'run', 'events.out.tfevents.1.x'));
    const result = await pollLogdir(follower);
    expect(result.notes.map((n) => n.kind)).toEqual(['new-run', 'new-file']);
    expect(snapshotLogdir(follower)[0].scalars.get('loss/current')!.length).toBe(3000);
  });
});
