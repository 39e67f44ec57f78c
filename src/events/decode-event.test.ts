// Malformed Event protobuf is damage, never a silent decode.
import { describe, expect, it } from 'vitest';
import { decodeEvent } from './decode-event.js';
import { encodeScalarEvent } from './encode-event.js';
import { newEventView, newValueView } from './value-view.js';

function decode(bytes: Uint8Array) {
  const tags: string[] = [];
  const ev = newEventView();
  const result = decodeEvent(bytes, 0, bytes.length, ev, newValueView(), (_ev, v) => void tags.push(v.tag));
  return { result, tags, ev };
}

describe('protobuf field number 0', () => {
  const scalar = encodeScalarEvent(1_700_000_000, 7, 'loss', 0.5);

  it('a clean scalar event decodes', () => {
    const { result, tags, ev } = decode(scalar);
    expect(result.ok).toBe(true);
    expect(tags).toEqual(['loss']);
    expect(ev.step).toBe(7);
  });

  it('in the Event itself (varint and length-delimited) it is damage, not an unknown field', () => {
    for (const extra of [
      [0x00, 0x05],
      [0x02, 0x01, 0x41],
    ]) {
      const { result } = decode(new Uint8Array([...scalar, ...extra]));
      expect(result).toEqual({ ok: false, error: expect.stringContaining('field number 0') });
    }
  });

  it('inside the Summary (the slow path) it is damage too', () => {
    // Event{step: 1, summary{<field 0 varint>, value{tag "a", simple_value 1}}}
    const value = [0x0a, 0x01, 0x61, 0x15, 0, 0, 0x80, 0x3f];
    const summary = [0x00, 0x01, 0x0a, value.length, ...value];
    const { result, tags } = decode(new Uint8Array([0x10, 0x01, 0x2a, summary.length, ...summary]));
    expect(result).toEqual({ ok: false, error: expect.stringContaining('field number 0') });
    expect(tags).toEqual([]);
  });
});
