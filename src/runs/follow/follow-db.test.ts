import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAitkDb } from '../../../test/support/aitk-db.js';
import { comparable } from '../../../test/support/follow-helpers.js';
import { loadLogdirs } from '../load-logdir.js';
import type { Run } from '../types.js';
import { newLogdirFollower, pollLogdir, snapshotLogdir } from './follow-logdir.js';

const AITK = join(import.meta.dirname, '../../../fixtures/trainers/ai-toolkit');
const KOHYA_FILE = join(
  import.meta.dirname,
  '../../../fixtures/kohya/sweep/adamw/glypha-adamw-20261129140106/network_train/events.out.tfevents.1795960866.vm.5635.0',
);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tblens-follow-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function batch(root: string): Promise<{ runs: Run[]; skipped: { path: string; reason: string }[] }> {
  const loaded = await loadLogdirs([root]);
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.roots[0];
}

describe("following ai-toolkit's loss_log.db", () => {
  it('a database growing under an open WAL writer: new points only, equal to a batch load after every poll', async () => {
    const job = join(dir, 'output', 'my_job');
    mkdirSync(job, { recursive: true });
    const writer = openAitkDb(join(job, 'loss_log.db'));
    const scalars: { tag: string; from: number; length: number }[] = [];
    let resets = 0;
    const follower = newLogdirFollower(
      dir,
      {},
      { scalar: (_run, b, from) => void scalars.push({ tag: b.tag, from, length: b.length }), reset: () => void resets++ },
    );
    try {
      let step = 0;
      for (let poll = 0; poll < 12; poll++) {
        for (let k = 0; k < 1 + (poll % 3) * 4; k++) {
          step += 10;
          writer.commit(step, 1_796_000_000 + step, { 'loss/loss': poll === 9 && k === 0 ? NaN : 0.1 + ((step * 7919) % 13) / 100, learning_rate: 1e-4 });
        }
        expect(existsSync(join(job, 'loss_log.db-wal'))).toBe(true);
        const result = await pollLogdir(follower);
        if (poll === 0) expect(result.notes.map((n) => n.kind)).toEqual(['new-run']);
        else expect(result.notes).toEqual([]);
        expect(result.changed.map((r) => r.name)).toEqual(['output/my_job']);
        expect(comparable(snapshotLogdir(follower)), `poll ${poll}`).toEqual(comparable((await batch(dir)).runs));
        // Unchanged since: no re-read, nothing changed.
        expect((await pollLogdir(follower)).changed).toEqual([]);
      }
      expect(resets).toBe(0);
      // Every point told once, in order: appends only.
      const loss = scalars.filter((s) => s.tag === 'loss/loss');
      expect(loss.map((s) => s.from)).toEqual(loss.map((_, i) => i));
      expect(snapshotLogdir(follower)[0].scalars.get('loss/loss')!.length).toBe(step / 10);

      // An upsert of a row already read (a job resumed into its folder): the run starts over, still exact.
      writer.commit(20, 1_796_000_999, { 'loss/loss': 9 });
      const result = await pollLogdir(follower);
      expect(result.notes.map((n) => n.kind)).toEqual(['file-reset']);
      expect(resets).toBe(1);
      expect(comparable(snapshotLogdir(follower))).toEqual(comparable((await batch(dir)).runs));
    } finally {
      writer.close();
    }
    // The writer's close checkpoints the WAL into the database and removes it.
    expect(existsSync(join(job, 'loss_log.db-wal'))).toBe(false);
    await pollLogdir(follower);
    expect(comparable(snapshotLogdir(follower))).toEqual(comparable((await batch(dir)).runs));
  });

  it('a corrupt database is one note naming it, said once; the other runs are followed', async () => {
    mkdirSync(join(dir, 'output', 'broken'), { recursive: true });
    const broken = join(dir, 'output', 'broken', 'loss_log.db');
    writeFileSync(broken, Buffer.from('this is not an SQLite database, just text '.repeat(40)));
    mkdirSync(join(dir, 'kohya'));
    copyFileSync(KOHYA_FILE, join(dir, 'kohya', 'events.out.tfevents.1795960866.vm.5635.0'));
    cpSync(join(AITK, 'explode-db-only/output/glypha_aitk_explode-db-only'), join(dir, 'output', 'good'), { recursive: true });
    const follower = newLogdirFollower(dir);
    const first = await pollLogdir(follower);
    const errors = first.notes.filter((n) => n.kind === 'read-error');
    expect(errors).toEqual([
      { kind: 'read-error', run: 'output/broken', file: broken, error: expect.stringMatching(/^not readable as ai-toolkit's SQLite log \(SQLITE_NOTADB: /) },
    ]);
    expect(first.notes.filter((n) => n.kind === 'new-run').map((n) => (n as { run: string }).run)).toEqual(['kohya', 'output/good']);
    writeFileSync(broken, Buffer.from('still not an SQLite database '.repeat(50)));
    expect((await pollLogdir(follower)).notes).toEqual([]);
    expect(comparable(snapshotLogdir(follower))).toEqual(comparable((await batch(dir)).runs));
    expect((await batch(dir)).skipped.map((s) => s.path)).toEqual([broken]);
  });

  it('a locked database is one note, said once; the points read before stay, and the rows written meanwhile arrive once it is free', async () => {
    const job = join(dir, 'output', 'locked');
    mkdirSync(job, { recursive: true });
    const path = join(job, 'loss_log.db');
    const writer = openAitkDb(path);
    for (let s = 10; s <= 50; s += 10) writer.commit(s, 1_796_000_000 + s, { 'loss/loss': 0.1, learning_rate: 1e-4 });
    writer.close();
    const follower = newLogdirFollower(dir);
    await pollLogdir(follower);
    // Another program holding the write lock of a rollback-journal database: readers wait out the busy timeout, then fail.
    const holder = new Database(path);
    holder.pragma('journal_mode = DELETE');
    holder.exec('BEGIN EXCLUSIVE');
    holder.prepare('INSERT INTO steps(step, wall_time) VALUES(60, 1796000060)').run();
    holder.prepare("INSERT INTO metrics(step, key, value_real, value_text) VALUES(60, 'loss/loss', 0.2, NULL)").run();
    try {
      const first = await pollLogdir(follower);
      expect(first.notes).toEqual([{ kind: 'read-error', run: 'output/locked', file: path, error: expect.stringMatching(/SQLITE_BUSY/) }]);
      expect(first.changed).toEqual([]);
      expect((await pollLogdir(follower)).notes).toEqual([]);
      expect(snapshotLogdir(follower)[0].scalars.get('loss/loss')!.length).toBe(5);
    } finally {
      holder.exec('COMMIT');
      holder.close();
    }
    const after = await pollLogdir(follower);
    expect(after.changed.map((r) => r.name)).toEqual(['output/locked']);
    expect(comparable(snapshotLogdir(follower))).toEqual(comparable((await batch(dir)).runs));
    expect(snapshotLogdir(follower)[0].scalars.get('loss/loss')!.length).toBe(6);
  }, 20_000);

  it('a job logging to both TensorBoard and SQLite is followed once, from TensorBoard; the database alone names the run after its job', async () => {
    cpSync(join(AITK, 'healthy'), join(dir, 'healthy'), { recursive: true });
    const follower = newLogdirFollower(join(dir, 'healthy'));
    await pollLogdir(follower);
    expect([...follower.runs.keys()]).toEqual(['logs/glypha_aitk_healthy']);
    expect(follower.dbs.size).toBe(0);
    expect(comparable(snapshotLogdir(follower))).toEqual(comparable((await batch(join(dir, 'healthy'))).runs));

    // Given the database itself, as export takes it: the run is named from the training folder.
    const db = join(dir, 'healthy', 'output', 'glypha_aitk_healthy', 'loss_log.db');
    const single = newLogdirFollower(db);
    await pollLogdir(single);
    expect(comparable(snapshotLogdir(single))).toEqual(comparable((await batch(db)).runs));
    expect([...single.runs.keys()]).toEqual(['glypha_aitk_healthy']);
  });
});
