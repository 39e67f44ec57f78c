import type { RecordDamage } from '../tfrecord/damage.js';
import type { Restart, Series } from './series.js';

/** Data-server view (default): per-tag preemption, as TensorBoard shows it. Raw: every record in file order. */
export type SeriesView = 'data-server' | 'raw';

/** Damage found in one file, with what it means for the data. */
export interface FileDamage {
  file: string;
  damage: RecordDamage | { kind: 'bad_event'; offset: number; detail: string };
}

export interface EventFileReport {
  path: string;
  /** Path relative to the run directory. */
  name: string;
  size: number;
  records: number;
  /** Records that were Event protos tblens could decode. */
  events: number;
  fileVersion: string | null;
  writer: string | null;
  firstWallTime: number;
  lastWallTime: number;
  firstStep: number;
  lastStep: number;
  damage: FileDamage['damage'][];
  /** Reading the file failed outright (permission, vanished). */
  error?: string;
}

/** Kind of a tag's data, fixed by its first value (TensorBoard's data_compat rules). */
export type TagKind = 'scalar' | 'histogram' | 'image' | 'audio' | 'text' | 'hparams' | 'tensor' | 'unknown';

export interface TagInventory {
  tag: string;
  kind: TagKind;
  pluginName: string;
  /** Values seen under this tag (all kinds). */
  count: number;
  /** Values under a scalar tag that could not be read as a scalar (skipped, counted). */
  skipped: number;
}

export interface Run {
  /** Path of the run directory relative to the root it was found under; `.` for the root itself. */
  name: string;
  /** Absolute path of the run directory. */
  dir: string;
  files: EventFileReport[];
  view: SeriesView;
  /** Scalar series by tag, tags sorted. */
  scalars: Map<string, Series>;
  /** Every tag of every kind, so nothing vanishes silently. */
  tags: TagInventory[];
  /** Step regressions per tag (data-server view only). */
  restarts: Restart[];
  /** Points dropped by per-tag preemption, summed over tags. */
  superseded: number;
  /** Hyper-parameters from hparams summaries (this run's, and kohya --log_config side directories'). */
  hparams: Record<string, unknown>;
  /** Side directories (hparams-only, float-named) folded into this run. */
  sideRuns: string[];
  /** Graph, run metadata and other non-summary records counted by kind. */
  otherRecords: Record<string, number>;
}

export function runDamage(run: Run): FileDamage[] {
  return run.files.flatMap((f) => f.damage.map((damage) => ({ file: f.path, damage })));
}
