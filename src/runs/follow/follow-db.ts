import { statSync, type BigIntStats } from 'node:fs';
import { dirname } from 'node:path';
import { loadSqliteRun } from '../ai-toolkit-db.js';
import { runName } from '../discover.js';
import { fsPath } from '../../io/raw-path.js';
import { newRunAssembly } from '../run-assembly.js';
import { SeriesBuilder, type Series } from '../series.js';
import type { Run } from '../types.js';
import type { FollowedFile } from './file-state.js';
import { newFollowedRun, type FollowListener, type FollowOptions, type FollowedRun } from './follow-run.js';
import type { FollowNote } from './notes.js';

/**
 * One ai-toolkit `loss_log.db` being followed. SQLite has no append-only layout to resume in, so a
 * changed database is read whole (read-only, short busy timeout: `loadSqliteRun`, as `export` reads
 * it) and compared with what the run holds: when every series read before is a prefix of the new
 * one, only the new points are fed, as an event file's new records are; otherwise (an upserted
 * row, a job restarted into the same folder) the run starts over. Either way its series end equal
 * to what `export` gives for the same database.
 */
export interface FollowedDb {
  path: string;
  /** Inode, size and mtime of the database and of its `-wal` file at the last good read; null before one. */
  stamp: string | null;
  /** The last good read came so soon after a write that another write in the same clock tick would not change the stamp. */
  racy: boolean;
  /** The last read failure (locked, corrupt), said once until it changes. */
  lastError: string | null;
  /** Created at the first good read: a database never read is no run (as in `export`, where it is a skipped line). */
  run: FollowedRun | null;
}

export function newFollowedDb(path: string): FollowedDb {
  return { path, stamp: null, racy: false, lastError: null, run: null };
}

/** Coarse file clocks (1–2 s on some filesystems): as for directory listings in tree-cache.ts. */
const RACY_MS = 3000;

function statOrNull(path: string): BigIntStats | null {
  try {
    return statSync(fsPath(path), { bigint: true });
  } catch {
    return null;
  }
}

/**
 * Brings the database's run up to date. A database whose stamp did not change since a good read
 * costs two stats; a read that fails keeps the points read before and is retried next poll.
 */
export async function pollDb(db: FollowedDb, root: string, options: FollowOptions, listener?: FollowListener, now: number = Date.now()): Promise<FollowNote[]> {
  const info = statOrNull(db.path);
  if (!info) return []; // vanished between the scan and here: the next scan drops it
  // In WAL mode (ai-toolkit's) a commit writes the -wal file only; the database changes at checkpoints.
  const wal = statOrNull(`${db.path}-wal`);
  const stamp = `${info.ino}:${info.size}:${info.mtimeNs}|${wal ? `${wal.ino}:${wal.size}:${wal.mtimeNs}` : '-'}`;
  if (stamp === db.stamp && !db.racy) return [];
  const loaded = await loadSqliteRun(root, db.path);
  if (!loaded.ok) {
    const run = db.run?.name ?? runName(root, dirname(db.path));
    const notes: FollowNote[] = db.lastError === loaded.reason ? [] : [{ kind: 'read-error', run, file: db.path, error: loaded.reason }];
    db.lastError = loaded.reason;
    return notes;
  }
  db.lastError = null;
  db.stamp = stamp;
  const mtimeNs = wal && wal.mtimeNs > info.mtimeNs ? wal.mtimeNs : info.mtimeNs;
  db.racy = now - Number(mtimeNs / 1_000_000n) < RACY_MS;
  db.run ??= newFollowedRun(loaded.run.name, loaded.run.dir, options, listener);
  const file: FollowedFile = {
    path: db.path,
    report: loaded.run.files[0],
    resumeAt: 0,
    size: Number(info.size),
    ino: info.ino,
    dev: info.dev,
    mtimeNs,
    head: new Uint8Array(0),
    tail: null,
    fed: true,
    lastError: null,
  };
  return feedDbRun(db.run, loaded.run, file, options, listener);
}

/** Whether the builder's points are the first points of `s`, exactly (NaN equal to NaN). */
function isPrefix(b: SeriesBuilder | undefined, s: Series | undefined): boolean {
  if (!b || !s || b.length > s.length) return false;
  const same = (x: number, y: number) => x === y || (x !== x && y !== y);
  for (let i = 0; i < b.length; i++)
    if (!same(b.steps[i], s.steps[i]) || !same(b.wallTimes[i], s.wallTimes[i]) || !same(b.values[i], s.values[i])) return false;
  return true;
}

/** Makes the run hold `loaded`'s series, telling the listener about each new point (or a reset first). */
function feedDbRun(run: FollowedRun, loaded: Run, file: FollowedFile, options: FollowOptions, listener?: FollowListener): FollowNote[] {
  const notes: FollowNote[] = [];
  const recordsBefore = run.files[0]?.report.records ?? 0;
  const exact = [...run.assembly.tags].every(([tag, state]) => isPrefix(state.builder, loaded.scalars.get(tag)));
  if (!exact) {
    notes.push({ kind: 'file-reset', run: run.name, file: file.path, detail: 'rows already read changed' });
    run.generation++;
    // Points are fed here, not through an assembly sink: no onScalar hook.
    run.assembly = newRunAssembly(run.name, run.dir, options);
    listener?.reset(run);
  }
  run.files = [file];
  for (const info of loaded.tags) {
    const state = run.assembly.tags.get(info.tag);
    // No preemption: the builder holds the rows exactly as `loadSqliteRun` returns them.
    if (state) state.info = { ...info };
    else run.assembly.tags.set(info.tag, { info: { ...info }, builder: new SeriesBuilder(info.tag, false, 1, run.assembly.slab) });
  }
  let fed = 0;
  for (const info of loaded.tags) {
    const s = loaded.scalars.get(info.tag);
    const b = run.assembly.tags.get(info.tag)!.builder!;
    if (!s) continue;
    for (let i = b.length; i < s.length; i++) {
      b.push(s.steps[i], s.wallTimes[i], s.values[i], file.path, i);
      listener?.scalar(run, b, i);
      fed++;
    }
  }
  // Rows that are no points (text values) still count as the run having grown.
  run.recordsRead += fed > 0 ? fed : file.report.records !== recordsBefore ? 1 : 0;
  const last = file.report.lastWallTime;
  run.lastWallTime = last > 0 ? last : NaN;
  return notes;
}
