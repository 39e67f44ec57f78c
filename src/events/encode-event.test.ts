import { describe, expect, it } from 'vitest';
import { frameRecord } from '../tfrecord/write-records.js';
import { decodeEvent } from './decode-event.js';
import { DT } from './dtype.js';
import { encodeEvent, encodeFileVersionEvent, encodeScalarEvent, type EventSpec } from './encode-event.js';
import { tensorScalar } from './tensor-scalar.js';
import { PayloadKind, newEventView, newValueView } from './value-view.js';

const hex = (s: string) =>
  Uint8Array.from(
    s
      .replace(/\s+/g, '')
      .match(/../g)!
      .map((h) => parseInt(h, 16)),
  );
const ascii = (s: string) => Array.from(new TextEncoder().encode(s), (b) => b.toString(16).padStart(2, '0')).join('');
const doubleAt = (bytes: string) => new DataView(hex(bytes).buffer).getFloat64(0, true);

// Byte-exact vectors from docs/event-format.md §1 (TensorBoard data server tf_record.rs, TF2 writer).
describe('encodeEvent matches the reference vectors', () => {
  it('file_version record, framed', () => {
    const payload = encodeFileVersionEvent(doubleAt('00 00 80 38 99 d6 d7 41'));
    expect(payload).toEqual(hex(`09 00 00 80 38 99 d6 d7 41 1a 0d ${ascii('brain.Event:2')}`));
    expect(frameRecord(payload)).toEqual(hex(`18 00 00 00 00 00 00 00 a3 7f 4b 22 ${Buffer.from(payload).toString('hex')} 12 4b 36 ab`));
  });

  it('TF2 tf.summary.scalar("accuracy", 0.99, step=77) payload and framing', () => {
    const content = new Uint8Array(new Float32Array([0.99]).buffer);
    const payload = encodeEvent({
      wallTime: doubleAt('c4 05 b7 3d 99 d6 d7 41'),
      step: 77,
      summary: [{ tag: 'accuracy', tensor: { dtype: DT.FLOAT, shape: [], tensorContent: content }, metadata: { pluginName: 'scalars' } }],
    });
    const expected = hex(
      `09 c4 05 b7 3d 99 d6 d7 41 10 4d 2a 25 0a 23 0a 08 ${ascii('accuracy')} 42 0a 08 01 12 00 22 04 a4 70 7d 3f 4a 0b 0a 09 0a 07 ${ascii('scalars')}`,
    );
    expect(payload.length).toBe(50);
    expect(payload).toEqual(expected);
    const framed = frameRecord(payload);
    expect(framed.subarray(0, 12)).toEqual(hex('32 00 00 00 00 00 00 00 24 19 56 ec'));
    expect(framed.subarray(62)).toEqual(hex('a5 5b 64 33'));
  });
});

function decodeOne(spec: EventSpec) {
  const ev = newEventView();
  const val = newValueView();
  const seen: { tag: string; kind: PayloadKind; value: number | undefined; plugin: string; dataClass: number }[] = [];
  const bytes = encodeEvent(spec);
  const result = decodeEvent(bytes, 0, bytes.length, ev, val, (_e, v, b) => {
    const value =
      v.payload === PayloadKind.SimpleValue
        ? v.simpleValue
        : v.payload === PayloadKind.Tensor
          ? tensorScalar(b, v.payloadStart, v.payloadEnd)?.value
          : undefined;
    seen.push({ tag: v.tag, kind: v.payload, value, plugin: v.pluginName, dataClass: v.dataClass });
  });
  return { result, ev: { ...ev }, seen };
}

describe('what the writer writes, the decoder reads back', () => {
  it('wall_time, step (large and negative), simple_value', () => {
    for (const step of [0, 1, 127, 128, 250_000, 2 ** 40, -1, -300]) {
      const { result, ev, seen } = decodeOne({ wallTime: 1.5e9 + 0.25, step, summary: [{ tag: 'loss/current', simpleValue: 0.125 }] });
      expect(result.ok).toBe(true);
      expect(ev.step).toBe(step);
      expect(ev.wallTime).toBe(1.5e9 + 0.25);
      expect(seen).toEqual([{ tag: 'loss/current', kind: PayloadKind.SimpleValue, value: 0.125, plugin: '', dataClass: 0 }]);
    }
  });

  it('every tensor scalar encoding', () => {
    const f32 = (x: number) => Math.fround(x);
    const cases: [TensorSpecLike, number][] = [
      [{ dtype: DT.FLOAT, floatVal: [0.3] }, f32(0.3)],
      [{ dtype: DT.FLOAT, floatVal: [0.3], packed: false }, f32(0.3)],
      [{ dtype: DT.DOUBLE, doubleVal: [0.3] }, 0.3],
      [{ dtype: DT.DOUBLE, shape: [], tensorContent: new Uint8Array(new Float64Array([-2.5]).buffer) }, -2.5],
      [{ dtype: DT.HALF, halfVal: [0x3c00] }, 1],
      [{ dtype: DT.BFLOAT16, halfVal: [0x4049] }, 3.140625],
      [{ dtype: DT.HALF, tensorContent: new Uint8Array([0x00, 0xc0]) }, -2],
      [{ dtype: DT.FLOAT, shape: [1], floatVal: [NaN] }, NaN],
      [{ dtype: DT.INT32, intVal: [-7] }, -7],
    ];
    for (const [tensor, value] of cases) {
      const { seen } = decodeOne({ step: 3, summary: [{ tag: 't', tensor, metadata: { pluginName: 'scalars', dataClass: 1 } }] });
      expect(seen).toHaveLength(1);
      expect(seen[0].value).toBe(value);
      expect(seen[0].plugin).toBe('scalars');
      expect(seen[0].dataClass).toBe(1);
    }
  });

  it('several values in one summary, and a session log', () => {
    const { ev, seen } = decodeOne({
      step: 5,
      summary: [
        { tag: 'a', simpleValue: 1 },
        { tag: 'b', simpleValue: 2 },
      ],
      sessionStatus: 1,
    });
    expect(seen.map((s) => [s.tag, s.value])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(ev.sessionStatus).toBe(1);
  });

  it('encodeScalarEvent lays out the same bytes as encodeEvent', () => {
    for (const [step, tag] of [
      [0, 'a'],
      [1, 'loss/current'],
      [300_000, 'lr/unet'],
      [2 ** 40, 'x'],
      [-5, 'neg'],
      [7, ''],
      [7, 'long/'.repeat(30)],
    ] as const) {
      for (const value of [0, 0.1, NaN, -Infinity]) {
        expect(encodeScalarEvent(1.7e9 + 0.5, step, tag, value)).toEqual(encodeEvent({ wallTime: 1.7e9 + 0.5, step, summary: [{ tag, simpleValue: value }] }));
      }
    }
  });

  it('encodeScalarEvent is what kohya (PyTorch add_scalar) writes', () => {
    const bytes = encodeScalarEvent(1_700_000_000.5, 250_000, 'loss/current', 0.25);
    // wall_time (9) + step (1 + 3) + summary (2 + 2 + 14 + 5)
    expect(bytes.length).toBe(36);
  });
});

type TensorSpecLike = NonNullable<NonNullable<EventSpec['summary']>[number]['tensor']>;
