import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { ioMessage } from '../io/io-message.js';
import { runName } from './discover.js';
import { seriesFromArrays, type Series } from './series.js';
import type { EventFileReport, Run, TagInventory } from './types.js';

/**
 * ai-toolkit's UI log as a run source. Its UILogger (toolkit/logging_aitk.py) writes, by default,
 * `<training_folder>/<job>/loss_log.db` instead of TensorBoard: tables `steps(step, wall_time)`,
 * `metric_keys(key, first_seen_step, last_seen_step)` and `metrics(step, key, value_real, value_text)`,
 * keys `learning_rate` and `loss/<loss-dict key>` every `logging.log_every` steps. Python's sqlite3
 * binds a float NaN as NULL, so a row whose value_real and value_text are both NULL is a NaN point.
 */
/** `reason` is a few words for `<file>: <reason>`. */
export type DbRunResult = { ok: true; run: Run } | { ok: false; reason: string };

interface MetricRow {
  step: number;
  key: string;
  value_real: number | null;
  value_text: string | null;
  wall_time: number | null;
}

type Database = {
  prepare(sql: string): { all(): unknown[] };
  close(): void;
};
type DatabaseConstructor = new (path: string, options: { readonly: boolean; fileMustExist: boolean; timeout: number }) => Database;

let binding: Promise<DatabaseConstructor | string> | undefined;

/** The native binding is loaded on first use, so a machine where it failed to build still reads event files. */
function sqlite(): Promise<DatabaseConstructor | string> {
  binding ??= import('better-sqlite3').then(
    (m) => (m.default ?? m) as unknown as DatabaseConstructor,
    (e: unknown) => `SQLite support unavailable (better-sqlite3 did not load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
  );
  return binding;
}

function readRows(Db: DatabaseConstructor, path: string): MetricRow[] {
  // Read-only, short busy timeout: a training process holding a write lock makes this a one-line error, not a hang.
  const db = new Db(path, { readonly: true, fileMustExist: true, timeout: 2000 });
  try {
    return db
      .prepare(
        'SELECT m.step AS step, m.key AS key, m.value_real AS value_real, m.value_text AS value_text, s.wall_time AS wall_time FROM metrics m LEFT JOIN steps s ON s.step = m.step ORDER BY m.key, m.step',
      )
      .all() as MetricRow[];
  } finally {
    db.close();
  }
}

/** One `loss_log.db` as a run named after its job directory (relative to `root`). */
export async function loadSqliteRun(root: string, path: string): Promise<DbRunResult> {
  const Db = await sqlite();
  if (typeof Db === 'string') return { ok: false, reason: Db };
  let size: number;
  let rows: MetricRow[];
  try {
    size = (await stat(path)).size;
    rows = readRows(Db, path);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const detail = `${typeof code === 'string' && code.startsWith('SQLITE') ? `${code}: ` : ''}${ioMessage(e)}`.split('\n')[0];
    return { ok: false, reason: `not readable as ai-toolkit's SQLite log (${detail})` };
  }
  const byKey = new Map<string, MetricRow[]>();
  for (const r of rows) {
    const list = byKey.get(r.key);
    if (list) list.push(r);
    else byKey.set(r.key, [r]);
  }
  const scalars = new Map<string, Series>();
  const tags: TagInventory[] = [];
  let firstStep = Infinity;
  let lastStep = -Infinity;
  let firstWall = Infinity;
  let lastWall = -Infinity;
  for (const key of [...byKey.keys()].sort()) {
    const list = byKey.get(key)!;
    // Text values (a value Python could not turn into a float) are no scalar: counted, not plotted.
    const numeric = list.filter((r) => r.value_text === null);
    const steps = numeric.map((r) => r.step);
    const values = numeric.map((r) => (r.value_real === null ? NaN : r.value_real));
    const walls = numeric.map((r) => r.wall_time ?? 0);
    scalars.set(key, seriesFromArrays(key, steps, values, walls));
    tags.push({ tag: key, kind: 'scalar', pluginName: '', count: list.length, skipped: list.length - numeric.length });
    for (const r of numeric) {
      firstStep = Math.min(firstStep, r.step);
      lastStep = Math.max(lastStep, r.step);
      if (r.wall_time !== null) {
        firstWall = Math.min(firstWall, r.wall_time);
        lastWall = Math.max(lastWall, r.wall_time);
      }
    }
  }
  const dir = dirname(path);
  const file: EventFileReport = {
    path,
    name: basename(path),
    size,
    records: rows.length,
    events: rows.length,
    fileVersion: null,
    writer: 'ai-toolkit UILogger (SQLite)',
    firstWallTime: Number.isFinite(firstWall) ? firstWall : 0,
    lastWallTime: Number.isFinite(lastWall) ? lastWall : 0,
    firstStep: Number.isFinite(firstStep) ? firstStep : 0,
    lastStep: Number.isFinite(lastStep) ? lastStep : 0,
    damage: [],
  };
  const run: Run = {
    name: runName(root, dir),
    dir,
    files: [file],
    view: 'data-server',
    scalars,
    tags,
    restarts: [],
    superseded: 0,
    hparams: {},
    sideRuns: [],
    otherRecords: {},
  };
  return { ok: true, run };
}

/** The databases to read as runs: those whose job has no TensorBoard run (see `loadSqliteRuns`); watch applies the same rule. */
export function sqliteLogsToRead(paths: readonly string[], eventRunDirs: readonly string[]): string[] {
  const jobsWithEvents = new Set(eventRunDirs.map((d) => basename(d)));
  return paths.filter((path) => !jobsWithEvents.has(basename(dirname(path))));
}

/**
 * The SQLite runs of a root, beside its event-file runs. A job whose TensorBoard log is also there
 * (`<log_dir>/<job name>`, the same name as the job directory) is read from TensorBoard only, so it
 * is not diagnosed twice. Unreadable databases come back as one line each, naming the file.
 */
export async function loadSqliteRuns(
  root: string,
  paths: readonly string[],
  eventRuns: readonly Run[],
): Promise<{ runs: Run[]; errors: { path: string; reason: string }[] }> {
  const runs: Run[] = [];
  const errors: { path: string; reason: string }[] = [];
  for (const path of sqliteLogsToRead(
    paths,
    eventRuns.map((r) => r.dir),
  )) {
    const r = await loadSqliteRun(root, path);
    if (r.ok) runs.push(r.run);
    else errors.push({ path, reason: r.reason });
  }
  return { runs, errors };
}
