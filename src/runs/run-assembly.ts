import { relative } from 'node:path';
import { decodeEvent } from '../events/decode-event.js';
import { decodeHParams } from '../events/hparams.js';
import { tensorScalar } from '../events/tensor-scalar.js';
import { PayloadKind, newEventView, newValueView, type EventView, type ValueView } from '../events/value-view.js';
import type { RecordSink } from '../tfrecord/scan.js';
import { classifyTag } from './classify.js';
import { newColumnSlab, SeriesBuilder, type ColumnSlab, type Restart, type Series } from './series.js';
import type { EventFileReport, Run, SeriesView, TagInventory } from './types.js';

export interface AssemblyOptions {
  view?: SeriesView;
  /** Keep only scalar tags matching this (others are still inventoried). */
  tagFilter?: RegExp;
  /**
   * Told after every scalar point is stored: points [changedFrom, builder.length) are new. When
   * preemption replaced stored points, changedFrom is below the length before the push. Watch
   * mode uses it to update detectors incrementally.
   */
  onScalar?: (builder: SeriesBuilder, changedFrom: number) => void;
}

export interface TagState {
  info: TagInventory;
  builder?: SeriesBuilder;
}

/**
 * One run being assembled from its event files' records: the per-record rules shared by the batch
 * loader (`loadRun`) and watch mode (which feeds the same records a few at a time).
 */
export interface RunAssembly {
  name: string;
  dir: string;
  view: SeriesView;
  options: AssemblyOptions;
  tags: Map<string, TagState>;
  restarts: Restart[];
  hparams: Record<string, unknown>;
  otherRecords: Record<string, number>;
  /** Shared buffer for the columns of short series (see ColumnSlab). */
  slab: ColumnSlab;
}

const OTHER_RECORD: Record<number, string> = { 4: 'graph_def', 6: 'log_message', 7: 'session_log', 8: 'tagged_run_metadata', 9: 'meta_graph_def' };

export function newRunAssembly(name: string, dir: string, options: AssemblyOptions = {}): RunAssembly {
  return { name, dir, view: options.view ?? 'data-server', options, tags: new Map(), restarts: [], hparams: {}, otherRecords: {}, slab: newColumnSlab() };
}

export function newFileReport(dir: string, path: string): EventFileReport {
  return {
    path,
    name: relative(dir, path).split('\\').join('/'),
    size: 0,
    records: 0,
    events: 0,
    fileVersion: null,
    writer: null,
    firstWallTime: NaN,
    lastWallTime: NaN,
    firstStep: NaN,
    lastStep: NaN,
    damage: [],
  };
}

const ev: EventView = newEventView();
const val: ValueView = newValueView();

/** A record sink that decodes each record of one file into the run, updating that file's report. */
export function assemblySink(run: RunAssembly, report: EventFileReport): RecordSink {
  const { options } = run;
  const preempt = run.view === 'data-server';
  const path = report.path;
  let recordOffset = 0;
  const visit = (e: EventView, v: ValueView, bytes: Uint8Array) => {
    let state = run.tags.get(v.tag);
    if (!state) {
      const kind = classifyTag(v);
      state = { info: { tag: v.tag, kind, pluginName: v.pluginName, count: 0, skipped: 0 } };
      if (kind === 'scalar' && (!options.tagFilter || options.tagFilter.test(v.tag))) state.builder = new SeriesBuilder(v.tag, preempt, 1, run.slab);
      run.tags.set(v.tag, state);
    }
    state.info.count++;
    const kind = state.info.kind;
    if (kind === 'scalar') {
      const builder = state.builder;
      if (!builder) return;
      let value: number | undefined;
      if (v.payload === PayloadKind.SimpleValue) value = v.simpleValue;
      else if (v.payload === PayloadKind.Tensor) value = tensorScalar(bytes, v.payloadStart, v.payloadEnd)?.value;
      if (value === undefined) {
        state.info.skipped++;
        return;
      }
      const before = builder.length;
      const restart = builder.push(e.step, e.wallTime, value, path, recordOffset);
      if (restart) run.restarts.push(restart);
      if (options.onScalar) options.onScalar(builder, Math.min(before, builder.length - 1));
    } else if (kind === 'hparams' && v.pluginContentStart >= 0) {
      const content = decodeHParams(bytes.subarray(v.pluginContentStart, v.pluginContentEnd));
      if (content?.kind === 'session_start') Object.assign(run.hparams, content.hparams);
    }
  };
  return {
    record(bytes, start, end, offset) {
      report.records++;
      recordOffset = offset;
      const decoded = decodeEvent(bytes, start, end, ev, val, visit);
      if (!decoded.ok) {
        report.damage.push({ kind: 'bad_event', offset, detail: decoded.error });
        return;
      }
      report.events++;
      if (ev.fileVersion !== null && report.fileVersion === null) report.fileVersion = ev.fileVersion;
      if (ev.sourceWriter !== null) report.writer = ev.sourceWriter;
      if (ev.what !== 0 && ev.what !== 5 && ev.what !== 3) {
        const k = OTHER_RECORD[ev.what] ?? `field_${ev.what}`;
        run.otherRecords[k] = (run.otherRecords[k] ?? 0) + 1;
      }
      // 0 is what an absent wall_time reads as: unknown, not 1970.
      if (ev.wallTime !== 0 && Number.isFinite(ev.wallTime)) {
        if (!(ev.wallTime >= report.firstWallTime)) report.firstWallTime = ev.wallTime;
        if (!(ev.wallTime <= report.lastWallTime)) report.lastWallTime = ev.wallTime;
      }
      if (ev.hasSummary) {
        if (Number.isNaN(report.firstStep)) report.firstStep = ev.step;
        report.lastStep = ev.step;
      }
    },
    damage(d) {
      report.damage.push(d);
    },
  };
}

/**
 * The run as assembled so far. Series are copied by default, so the assembly can keep growing;
 * with `copy: false` they are views of the growing columns, valid only until the next record is fed.
 */
export function buildRun(run: RunAssembly, files: EventFileReport[], copy = true): Run {
  const scalars = new Map<string, Series>();
  let superseded = 0;
  const inventory: TagInventory[] = [];
  for (const tag of [...run.tags.keys()].sort(compareNames)) {
    const state = run.tags.get(tag)!;
    inventory.push({ ...state.info });
    if (state.builder) {
      superseded += state.builder.superseded;
      scalars.set(tag, copy ? state.builder.build() : seriesView(state.builder));
    }
  }
  return {
    name: run.name,
    dir: run.dir,
    files,
    view: run.view,
    scalars,
    tags: inventory,
    restarts: [...run.restarts],
    superseded,
    hparams: { ...run.hparams },
    sideRuns: [],
    otherRecords: { ...run.otherRecords },
  };
}

function seriesView(b: SeriesBuilder): Series {
  const n = b.length;
  // A full column is its own view: three typed-array objects fewer per tag (~300 bytes), which is
  // most of the memory of a log with 10⁵ one-point tags.
  if (n === b.steps.length) return { tag: b.tag, length: n, steps: b.steps, wallTimes: b.wallTimes, values: b.values };
  return { tag: b.tag, length: n, steps: b.steps.subarray(0, n), wallTimes: b.wallTimes.subarray(0, n), values: b.values.subarray(0, n) };
}

/** Byte-order comparison, as the data server sorts names (not locale order). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
