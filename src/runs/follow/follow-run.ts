import { basename } from 'node:path';
import { readRecordFile } from '../../tfrecord/read-file.js';
import type { RecordSink } from '../../tfrecord/scan.js';
import { damageLine } from '../damage-lines.js';
import { assemblySink, buildRun, compareNames, newFileReport, newRunAssembly, type AssemblyOptions, type RunAssembly } from '../run-assembly.js';
import type { SeriesBuilder } from '../series.js';
import type { EventFileReport, Run } from '../types.js';
import { fileChange, readHead, remember, type FollowedFile } from './file-state.js';
import type { FollowNote } from './notes.js';

export type FollowOptions = Pick<AssemblyOptions, 'view' | 'tagFilter'>;

/** Told about every stored scalar point, and when a run starts over (re-read from byte 0). */
export interface FollowListener {
  scalar(run: FollowedRun, builder: SeriesBuilder, changedFrom: number): void;
  reset(run: FollowedRun): void;
}

/** One run directory being followed: its files in name order and the series assembled so far. */
export interface FollowedRun {
  name: string;
  dir: string;
  files: FollowedFile[];
  assembly: RunAssembly;
  /** Bumped each time the run is re-read from the start. */
  generation: number;
  /** Records read in total (all generations): a cheap "did anything arrive" counter. */
  recordsRead: number;
  /** Latest event wall time seen (seconds), NaN before the first. */
  lastWallTime: number;
}

export function newFollowedRun(name: string, dir: string, options: FollowOptions, listener?: FollowListener): FollowedRun {
  const run: FollowedRun = { name, dir, files: [], assembly: newRunAssembly(name, dir), generation: 0, recordsRead: 0, lastWallTime: NaN };
  run.assembly = freshAssembly(run, options, listener);
  return run;
}

function freshAssembly(run: FollowedRun, options: FollowOptions, listener?: FollowListener): RunAssembly {
  return newRunAssembly(run.name, run.dir, {
    ...options,
    onScalar: listener ? (builder, from) => listener.scalar(run, builder, from) : undefined,
  });
}

function newFollowedFile(dir: string, path: string): FollowedFile {
  return {
    path,
    report: newFileReport(dir, path),
    resumeAt: 0,
    size: 0,
    ino: -1n,
    dev: -1n,
    mtimeNs: -1n,
    head: new Uint8Array(0),
    tail: null,
    fed: false,
    lastError: null,
  };
}

/**
 * Brings the run up to date with `paths` (its event files as discovered now): reads only the new
 * bytes of grown files, resuming exactly at a partial record. A file replaced, truncated or
 * removed, a new file sorting before one already read, or an older file growing after a newer one
 * makes the whole run re-read from byte 0, because per-tag preemption depends on file-name order;
 * this keeps the series equal to a batch load of the same bytes, with nothing lost or doubled.
 */
export async function pollRun(run: FollowedRun, paths: string[], options: FollowOptions, listener?: FollowListener): Promise<FollowNote[]> {
  const notes: FollowNote[] = [];
  const sorted = [...new Set(paths)].sort((a, b) => compareNames(basename(a), basename(b)));
  let rebuild: string | null = null;

  const known = new Map(run.files.map((f) => [f.path, f]));
  const present = new Set(sorted);
  for (const f of run.files) {
    if (!present.has(f.path)) {
      notes.push({ kind: 'file-removed', run: run.name, file: f.path });
      if (f.fed) rebuild ??= 'removed';
    }
  }
  const lastFed = lastFedName(run.files);
  const files: FollowedFile[] = [];
  for (const path of sorted) {
    let f = known.get(path);
    if (!f) {
      f = newFollowedFile(run.dir, path);
      notes.push({ kind: 'new-file', run: run.name, file: path });
      if (lastFed !== null && compareNames(basename(path), lastFed) < 0) rebuild ??= 'new file sorts before one already read';
    }
    files.push(f);
  }
  run.files = files;

  const grown: FollowedFile[] = [];
  for (const f of files) {
    const { change, info, head } = fileChange(f);
    if (change.kind === 'gone') continue; // vanished between discovery and stat: the next poll drops it
    if (change.kind === 'reset') {
      if (f.fed || f.size > 0) {
        notes.push({ kind: 'file-reset', run: run.name, file: f.path, detail: change.detail });
        rebuild ??= change.detail;
      }
      f.head = readHead(f.path) ?? new Uint8Array(0);
    }
    remember(f, info, head);
    if (change.kind !== 'unchanged') grown.push(f);
  }

  if (rebuild === null) {
    // Appending is only exact when nothing after the growing file (in name order) has been read yet.
    let seenFed = false;
    for (let i = files.length - 1; i >= 0; i--) {
      const f = files[i];
      if (seenFed && grown.includes(f)) {
        notes.push({ kind: 'reordered', run: run.name, file: f.path });
        rebuild = 'reordered';
        break;
      }
      if (f.fed) seenFed = true;
    }
  }

  if (rebuild !== null) {
    run.generation++;
    run.assembly = freshAssembly(run, options, listener);
    listener?.reset(run);
    for (const f of files) {
      const fresh = newFollowedFile(run.dir, f.path);
      f.report = fresh.report;
      f.resumeAt = 0;
      f.size = 0;
      f.tail = null;
      f.fed = false;
      await readNew(run, f, notes);
    }
  } else {
    for (const f of grown) await readNew(run, f, notes);
  }
  return notes;
}

async function readNew(run: FollowedRun, f: FollowedFile, notes: FollowNote[]): Promise<void> {
  const inner = assemblySink(run.assembly, f.report);
  const damageBefore = f.report.damage.length;
  let tail: FollowedFile['tail'] = null;
  const sink: RecordSink = {
    record(bytes, start, end, offset) {
      inner.record(bytes, start, end, offset);
      run.recordsRead++;
      f.fed = true;
    },
    damage(d) {
      if (d.kind === 'truncated') {
        tail = d;
        return;
      }
      // A stretch being resynchronised at the end of a live file is reported again on the next read.
      const same = f.report.damage.findIndex((x) => x.kind === d.kind && x.offset === d.offset);
      if (same >= 0) f.report.damage[same] = d;
      else inner.damage(d);
    },
  };
  const result = await readRecordFile(f.path, sink, { start: f.resumeAt });
  if (!result.ok) {
    f.report.error = result.error;
    if (f.lastError !== result.error) notes.push({ kind: 'read-error', run: run.name, file: f.path, error: result.error });
    f.lastError = result.error;
    return;
  }
  delete f.report.error;
  f.lastError = null;
  f.report.size = result.size;
  f.size = result.size;
  f.resumeAt = result.resumeAt;
  f.tail = tail;
  if (f.report.lastWallTime > run.lastWallTime || Number.isNaN(run.lastWallTime)) run.lastWallTime = f.report.lastWallTime;
  for (let i = damageBefore; i < f.report.damage.length; i++)
    notes.push({ kind: 'damage', run: run.name, line: damageLine({ file: f.path, damage: f.report.damage[i] }) });
}

function lastFedName(files: FollowedFile[]): string | null {
  for (let i = files.length - 1; i >= 0; i--) if (files[i].fed) return basename(files[i].path);
  return null;
}

/** File reports as a batch load of the same bytes would give them (the incomplete tail counts as damage). */
export function fileReports(run: FollowedRun): EventFileReport[] {
  return run.files.map((f) => ({ ...f.report, damage: f.tail ? [...f.report.damage, f.tail] : [...f.report.damage] }));
}

/** The run as read so far (series copied). */
export function snapshotRun(run: FollowedRun): Run {
  return buildRun(run.assembly, fileReports(run));
}

/** The run as read so far, its series viewing the live columns: valid until the next poll. */
export function viewRun(run: FollowedRun): Run {
  return buildRun(run.assembly, fileReports(run), false);
}
