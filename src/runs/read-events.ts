import { decodeEvent } from '../events/decode-event.js';
import { tensorScalar } from '../events/tensor-scalar.js';
import { PayloadKind, newEventView, newValueView, type EventView, type ValueView } from '../events/value-view.js';
import type { RecordDamage } from '../tfrecord/damage.js';
import { scanRecordFile } from '../tfrecord/read-file.js';
import type { RecordSink } from '../tfrecord/scan.js';
import { discoverRuns } from './discover.js';

/** Which `oneof what` field an Event holds. */
export type EventWhat = 'none' | 'file_version' | 'graph_def' | 'summary' | 'log_message' | 'session_log' | 'tagged_run_metadata' | 'meta_graph_def';

export type ValuePayload = 'none' | 'simple_value' | 'old_histogram' | 'image' | 'histogram' | 'audio' | 'tensor';

/** One Summary.Value as written, with its number when it holds one scalar. */
export interface RawValue {
  tag: string;
  payload: ValuePayload;
  /** simple_value, or the element of a one-element numeric tensor; undefined otherwise. */
  value?: number;
  /** Empty when the value carries no metadata (most values after a tag's first). */
  pluginName: string;
  /** SummaryMetadata.data_class: 0 unknown, 1 scalar, 2 tensor, 3 blob sequence. */
  dataClass: number;
}

/** One record of an event file, decoded, in file order. */
export interface RawEvent {
  type: 'event';
  /** Run name (relative to the path given, `.` for the root). */
  run: string;
  file: string;
  /** Byte offset of the record in the file. */
  offset: number;
  /** Seconds since the epoch; 0 when the writer wrote none. */
  wallTime: number;
  step: number;
  /** The step did not fit a double exactly (≥ 2^53 or below −2^53). */
  stepInexact: boolean;
  what: EventWhat;
  fileVersion?: string;
  /** SessionLog status: 1 START, 2 STOP, 3 CHECKPOINT. */
  sessionStatus?: number;
  values: RawValue[];
}

/** Something in a file that could not be read as events; reading goes on after it where it can. */
export interface RawDamage {
  type: 'damage';
  run: string;
  file: string;
  offset: number;
  damage: RecordDamage | { kind: 'bad_event'; offset: number; detail: string };
}

/** A path or file that could not be read at all. */
export interface RawError {
  type: 'error';
  file: string;
  error: string;
}

export type RawItem = RawEvent | RawDamage | RawError;

export interface ReadEventsOptions {
  /** Bytes read per I/O call (and so events handed on per batch). */
  chunkSize?: number;
}

const WHAT: Record<number, EventWhat> = {
  0: 'none',
  3: 'file_version',
  4: 'graph_def',
  5: 'summary',
  6: 'log_message',
  7: 'session_log',
  8: 'tagged_run_metadata',
  9: 'meta_graph_def',
};

const PAYLOAD: Record<number, ValuePayload> = {
  [PayloadKind.None]: 'none',
  [PayloadKind.SimpleValue]: 'simple_value',
  [PayloadKind.OldHistogram]: 'old_histogram',
  [PayloadKind.Image]: 'image',
  [PayloadKind.Histogram]: 'histogram',
  [PayloadKind.Audio]: 'audio',
  [PayloadKind.Tensor]: 'tensor',
};

function rawValue(v: ValueView, bytes: Uint8Array): RawValue {
  let value: number | undefined;
  if (v.payload === PayloadKind.SimpleValue) value = v.simpleValue;
  else if (v.payload === PayloadKind.Tensor) value = tensorScalar(bytes, v.payloadStart, v.payloadEnd)?.value;
  const out: RawValue = { tag: v.tag, payload: PAYLOAD[v.payload] ?? 'none', pluginName: v.pluginName, dataClass: v.dataClass };
  if (value !== undefined) out.value = value;
  return out;
}

/**
 * Every record of every event file under `path` (a log directory, a run directory or one event
 * file), decoded, in TensorBoard's order: runs by name, files by name, records by offset. Nothing
 * is merged or preempted: this is the raw view. Damage comes inline as `type: 'damage'` items, so
 * a consumer cannot miss it; memory stays bounded by one chunk's events.
 */
export async function* readEvents(path: string, options: ReadEventsOptions = {}): AsyncGenerator<RawItem, void, void> {
  const found = await discoverRuns(path);
  if (!found.ok) {
    yield { type: 'error', file: path, error: found.error };
    return;
  }
  const chunkSize = options.chunkSize ?? 256 << 10;
  const ev: EventView = newEventView();
  const val: ValueView = newValueView();
  for (const run of found.runs) {
    for (const file of run.files) {
      const queue: RawItem[] = [];
      let values: RawValue[] = [];
      const visit = (_e: EventView, v: ValueView, bytes: Uint8Array) => void values.push(rawValue(v, bytes));
      const sink: RecordSink = {
        record(bytes, start, end, offset) {
          values = [];
          const decoded = decodeEvent(bytes, start, end, ev, val, visit);
          if (!decoded.ok) {
            queue.push({ type: 'damage', run: run.name, file, offset, damage: { kind: 'bad_event', offset, detail: decoded.error } });
            return;
          }
          const event: RawEvent = {
            type: 'event',
            run: run.name,
            file,
            offset,
            wallTime: ev.wallTime,
            step: ev.step,
            stepInexact: ev.stepInexact,
            what: WHAT[ev.what] ?? 'none',
            values,
          };
          if (ev.fileVersion !== null) event.fileVersion = ev.fileVersion;
          if (ev.what === 7) event.sessionStatus = ev.sessionStatus;
          queue.push(event);
        },
        damage(d) {
          queue.push({ type: 'damage', run: run.name, file, offset: d.offset, damage: d });
        },
      };
      const windows = scanRecordFile(file, sink, { chunkSize });
      try {
        for (;;) {
          const step = await windows.next();
          for (const item of queue.splice(0)) yield item;
          if (step.done) {
            if (!step.value.ok) yield { type: 'error', file, error: step.value.error };
            break;
          }
        }
      } finally {
        await windows.return({ ok: false, error: 'stopped early' });
      }
    }
  }
}
