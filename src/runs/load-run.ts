import { basename, relative } from 'node:path';
import { decodeEvent } from '../events/decode-event.js';
import { decodeHParams } from '../events/hparams.js';
import { tensorScalar } from '../events/tensor-scalar.js';
import { PayloadKind, newEventView, newValueView, type EventView, type ValueView } from '../events/value-view.js';
import { readRecordFile } from '../tfrecord/read-file.js';
import { classifyTag } from './classify.js';
import { SeriesBuilder, type Restart } from './series.js';
import type { EventFileReport, Run, SeriesView, TagInventory } from './types.js';

export interface LoadRunOptions {
  view?: SeriesView;
  /** Keep only scalar tags matching this (others are still inventoried). */
  tagFilter?: RegExp;
}

const OTHER_RECORD: Record<number, string> = { 4: 'graph_def', 6: 'log_message', 7: 'session_log', 8: 'tagged_run_metadata', 9: 'meta_graph_def' };

interface TagState {
  info: TagInventory;
  builder?: SeriesBuilder;
}

/** Reads the event files of one run directory, in name order, into columnar series. */
export async function loadRun(name: string, dir: string, files: string[], options: LoadRunOptions = {}): Promise<Run> {
  const view = options.view ?? 'data-server';
  const preempt = view === 'data-server';
  const tags = new Map<string, TagState>();
  const restarts: Restart[] = [];
  const hparams: Record<string, unknown> = {};
  const otherRecords: Record<string, number> = {};
  const reports: EventFileReport[] = [];
  const ev: EventView = newEventView();
  const val: ValueView = newValueView();
  const sorted = [...files].sort((a, b) => compareNames(basename(a), basename(b)));

  for (const path of sorted) {
    const report: EventFileReport = {
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
    let recordOffset = 0;
    const visit = (e: EventView, v: ValueView, bytes: Uint8Array) => {
      let state = tags.get(v.tag);
      if (!state) {
        const kind = classifyTag(v);
        state = { info: { tag: v.tag, kind, pluginName: v.pluginName, count: 0, skipped: 0 } };
        if (kind === 'scalar' && (!options.tagFilter || options.tagFilter.test(v.tag))) state.builder = new SeriesBuilder(v.tag, preempt);
        tags.set(v.tag, state);
      }
      state.info.count++;
      const kind = state.info.kind;
      if (kind === 'scalar') {
        if (!state.builder) return;
        let value: number | undefined;
        if (v.payload === PayloadKind.SimpleValue) value = v.simpleValue;
        else if (v.payload === PayloadKind.Tensor) value = tensorScalar(bytes, v.payloadStart, v.payloadEnd)?.value;
        if (value === undefined) {
          state.info.skipped++;
          return;
        }
        const restart = state.builder.push(e.step, e.wallTime, value, path, recordOffset);
        if (restart) restarts.push(restart);
      } else if (kind === 'hparams' && v.pluginContentStart >= 0) {
        const content = decodeHParams(bytes.subarray(v.pluginContentStart, v.pluginContentEnd));
        if (content?.kind === 'session_start') Object.assign(hparams, content.hparams);
      }
    };
    const result = await readRecordFile(path, {
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
          otherRecords[k] = (otherRecords[k] ?? 0) + 1;
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
    });
    if (result.ok) report.size = result.size;
    else report.error = result.error;
    reports.push(report);
  }

  const scalars = new Map<string, ReturnType<SeriesBuilder['build']>>();
  let superseded = 0;
  const inventory: TagInventory[] = [];
  for (const tag of [...tags.keys()].sort(compareNames)) {
    const state = tags.get(tag)!;
    inventory.push(state.info);
    if (state.builder) {
      superseded += state.builder.superseded;
      scalars.set(tag, state.builder.build());
    }
  }
  return { name, dir, files: reports, view, scalars, tags: inventory, restarts, superseded, hparams, sideRuns: [], otherRecords };
}

/** Byte-order comparison, as the data server sorts names (not locale order). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
