import protobuf from 'protobufjs/minimal.js';
import { cachedUtf8 } from './string-cache.js';
import { PayloadKind, type EventView, type ValueView } from './value-view.js';

const { Reader, util } = protobuf;

/** Called once per Summary.Value; `bytes` and the views are reused after the call returns. */
export type ValueVisitor = (event: EventView, value: ValueView, bytes: Uint8Array) => void;

export type DecodeResult = { ok: true } | { ok: false; error: string };

const reader = Reader.create(new Uint8Array(0));
const OK: DecodeResult = Object.freeze({ ok: true });

function setWindow(bytes: Uint8Array, start: number, end: number): void {
  reader.buf = bytes;
  reader.pos = start;
  reader.len = end;
}

/**
 * Reads a length-delimited field's length and returns where its bytes end, the reader left at their start;
 * throws `message` when they would run past `limit` (the enclosing message's end): every nested field checks
 * its bound the same way, so a forged length cannot send the reader past what holds it.
 */
function fieldEnd(limit: number, message: string): number {
  const len = reader.uint32();
  const end = reader.pos + len;
  if (end > limit) throw new RangeError(message);
  return end;
}

/** A length-delimited UTF-8 field ending by `limit` (see fieldEnd), read and stepped over. */
function readText(bytes: Uint8Array, limit: number, message: string): string {
  const end = fieldEnd(limit, message);
  const text = util.utf8.read(bytes, reader.pos, end);
  reader.pos = end;
  return text;
}

/** int64 varint without allocating a Long. Negative and ≥ 2^53 values set `inexact`. */
function readInt64(ev: EventView): number {
  const buf = reader.buf;
  let lo = 0;
  let hi: number;
  let shift = 0;
  let i = reader.pos;
  for (; shift < 28; shift += 7) {
    if (i >= reader.len) throw new RangeError('varint past end');
    const b = buf[i++];
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) {
      reader.pos = i;
      return lo >>> 0;
    }
  }
  // bits 28..31 of lo and 0..2 of hi
  if (i >= reader.len) throw new RangeError('varint past end');
  let b = buf[i++];
  lo |= (b & 0x0f) << 28;
  hi = (b & 0x7f) >> 4;
  if (b >= 0x80) {
    for (shift = 3; shift < 32; shift += 7) {
      if (i >= reader.len) throw new RangeError('varint past end');
      b = buf[i++];
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    if (b >= 0x80) throw new RangeError('varint longer than 10 bytes');
  }
  reader.pos = i;
  lo >>>= 0;
  if (hi & 0x80000000) {
    // two's complement negative
    const nlo = (~lo + 1) >>> 0;
    const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
    const value = -(nhi * 0x100000000 + nlo);
    if (nhi >= 0x200000) ev.stepInexact = true;
    return value;
  }
  hi >>>= 0;
  if (hi >= 0x200000) ev.stepInexact = true;
  return hi * 0x100000000 + lo;
}

function resetEvent(ev: EventView): void {
  ev.wallTime = 0;
  ev.step = 0;
  ev.stepInexact = false;
  ev.hasSummary = false;
  ev.fileVersion = null;
  ev.sessionStatus = 0;
  ev.what = 0;
  ev.sourceWriter = null;
}

/**
 * Decodes one Event payload (bytes[start, end)) into `ev`, and calls `visit` for each
 * Summary.Value. Allocates nothing for a plain scalar event except the tag string.
 * Malformed protobuf comes back as `{ ok: false }` with what was wrong.
 */
export function decodeEvent(bytes: Uint8Array, start: number, end: number, ev: EventView, val: ValueView, visit: ValueVisitor): DecodeResult {
  if (decodeSimpleScalar(bytes, start, end, ev, val)) {
    visit(ev, val, bytes);
    return OK;
  }
  resetEvent(ev);
  let summaryStart = -1;
  let summaryEnd = -1;
  try {
    setWindow(bytes, start, end);
    while (reader.pos < end) {
      const key = reader.uint32();
      const field = key >>> 3;
      const wire = key & 7;
      if (field === 1 && wire === 1) ev.wallTime = reader.double();
      else if (field === 2 && wire === 0) ev.step = readInt64(ev);
      else if (field === 5 && wire === 2) {
        summaryEnd = fieldEnd(end, 'summary past end of event');
        summaryStart = reader.pos;
        reader.pos = summaryEnd;
        ev.what = 5;
        ev.hasSummary = true;
      } else if (field === 3 && wire === 2) {
        ev.fileVersion = readText(bytes, end, 'file_version past end of event');
        ev.what = 3;
      } else if (field === 7 && wire === 2) {
        const sEnd = fieldEnd(end, 'session_log past end of event');
        ev.what = 7;
        while (reader.pos < sEnd) {
          const k = reader.uint32();
          if (k === 8) ev.sessionStatus = reader.uint32();
          else skip(k);
        }
        reader.len = end;
      } else if (field === 10 && wire === 2) {
        const sEnd = fieldEnd(end, 'source_metadata past end of event');
        while (reader.pos < sEnd) {
          const k = reader.uint32();
          if (k === 10) {
            const l = reader.uint32();
            ev.sourceWriter = util.utf8.read(bytes, reader.pos, reader.pos + l);
            reader.pos += l;
          } else skip(k);
        }
      } else {
        if (field >= 4 && field <= 9 && wire === 2) ev.what = field;
        skip(key);
      }
    }
    if (reader.pos !== end) throw new RangeError('field runs past end of event');
    if (summaryStart >= 0) decodeSummary(bytes, summaryStart, summaryEnd, ev, val, visit);
    return OK;
  } catch (error) {
    return { ok: false, error: `malformed Event protobuf (${(error as Error).message})` };
  }
}

function skip(key: number): void {
  // Field number 0 is reserved: no encoder writes it, so a key with it is damage, not an unknown field.
  if (key >>> 3 === 0) throw new RangeError(`field number 0 (key ${key})`);
  const wire = key & 7;
  if (wire === 3 || wire === 4) throw new RangeError(`unexpected group (wire type ${wire})`);
  reader.skipType(wire);
}

function decodeSummary(bytes: Uint8Array, start: number, end: number, ev: EventView, val: ValueView, visit: ValueVisitor): void {
  setWindow(bytes, start, end);
  while (reader.pos < end) {
    const key = reader.uint32();
    if (key !== 10) {
      skip(key);
      continue;
    }
    const vEnd = fieldEnd(end, 'summary value past end');
    const vStart = reader.pos;
    decodeValue(bytes, vStart, vEnd, val);
    reader.pos = vEnd;
    reader.len = end;
    visit(ev, val, bytes);
    // The visitor may decode with its own reader; restore ours.
    setWindow(bytes, vEnd, end);
  }
}

/** A Value with no tag, payload or metadata: where both decoding paths start, so they leave `val` alike. */
function resetValue(val: ValueView): void {
  val.tag = '';
  val.payload = PayloadKind.None;
  val.simpleValue = 0;
  val.hasMetadata = false;
  val.pluginName = '';
  val.dataClass = 0;
  val.pluginContentStart = -1;
  val.pluginContentEnd = -1;
  val.payloadStart = -1;
  val.payloadEnd = -1;
}

function decodeValue(bytes: Uint8Array, start: number, end: number, val: ValueView): void {
  resetValue(val);
  let nodeName = '';
  reader.len = end;
  while (reader.pos < end) {
    const key = reader.uint32();
    switch (key) {
      case 10: {
        const tagEnd = fieldEnd(end, 'tag past end');
        val.tag = cachedUtf8(bytes, reader.pos, tagEnd);
        reader.pos = tagEnd;
        break;
      }
      case 21: // simple_value, fixed32
        val.simpleValue = reader.float();
        val.payload = PayloadKind.SimpleValue;
        break;
      case 58: {
        // node_name: the legacy tag, used when tag is empty
        nodeName = readText(bytes, end, 'node_name past end');
        break;
      }
      case 74: {
        const mEnd = fieldEnd(end, 'metadata past end');
        val.hasMetadata = true;
        decodeMetadata(bytes, mEnd, val);
        reader.len = end;
        break;
      }
      case 26: // old-style histogram
      case 34: // image
      case 42: // histo
      case 50: // audio
      case 66: {
        // tensor
        const payloadEnd = fieldEnd(end, 'value payload past end');
        val.payload = (key >>> 3) as PayloadKind;
        val.payloadStart = reader.pos;
        val.payloadEnd = payloadEnd;
        reader.pos = payloadEnd;
        break;
      }
      default:
        skip(key);
    }
  }
  if (val.tag === '' && nodeName !== '') val.tag = nodeName;
}

function decodeMetadata(bytes: Uint8Array, end: number, val: ValueView): void {
  reader.len = end;
  while (reader.pos < end) {
    const key = reader.uint32();
    if (key === 10) {
      const pEnd = fieldEnd(end, 'plugin_data past end');
      while (reader.pos < pEnd) {
        const k = reader.uint32();
        if (k === 10) {
          val.pluginName = readText(bytes, pEnd, 'plugin_name past end');
        } else if (k === 18) {
          const contentEnd = fieldEnd(pEnd, 'plugin content past end');
          val.pluginContentStart = reader.pos;
          val.pluginContentEnd = contentEnd;
          reader.pos = contentEnd;
        } else skip(k);
      }
    } else if (key === 32) {
      val.dataClass = reader.uint32();
    } else skip(key);
  }
}

let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));
let viewOf: Uint8Array | undefined;

function dataView(bytes: Uint8Array): DataView<ArrayBufferLike> {
  if (bytes !== viewOf) {
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    viewOf = bytes;
  }
  return view;
}

/**
 * The shape PyTorch's add_scalar (kohya, HF Trainer, Lightning, tensorboardX, TF1) writes for
 * almost every record — `[wall_time] [step < 2^28] summary{value{tag, simple_value}}` with
 * one-byte lengths and nothing else — decoded without the general field loop. Fills `ev`/`val`
 * exactly as the general path would and returns true; returns false (touching nothing the general
 * path does not reset) for anything else, which then takes the general path.
 */
function decodeSimpleScalar(b: Uint8Array, start: number, end: number, ev: EventView, val: ValueView): boolean {
  let i = start;
  let wallTime = 0;
  let step = 0;
  if (i < end && b[i] === 0x09) {
    if (i + 9 > end) return false;
    wallTime = dataView(b).getFloat64(i + 1, true);
    i += 9;
  }
  if (i < end && b[i] === 0x10) {
    i++;
    let shift = 0;
    for (;;) {
      if (i >= end || shift > 21) return false;
      const x = b[i++];
      step += (x & 0x7f) << shift; // at most 28 bits: no overflow
      if (x < 0x80) break;
      shift += 7;
    }
  }
  // summary (field 5) ⊃ value (field 1) ⊃ tag (field 1), simple_value (field 2, fixed32)
  if (i + 4 > end || b[i] !== 0x2a || b[i + 2] !== 0x0a) return false;
  const summaryLen = b[i + 1];
  const valueLen = b[i + 3];
  if (summaryLen >= 0x80 || valueLen >= 0x80 || summaryLen !== valueLen + 2 || i + 2 + summaryLen !== end) return false;
  i += 4;
  if (b[i] !== 0x0a) return false;
  const tagLen = b[i + 1];
  if (tagLen >= 0x80 || tagLen + 7 !== valueLen) return false;
  const tagStart = i + 2;
  const tagEnd = tagStart + tagLen;
  if (b[tagEnd] !== 0x15) return false;
  // The general path's resets, then what this shape holds: `ev`/`val` end exactly as that path leaves them.
  resetEvent(ev);
  ev.wallTime = wallTime;
  ev.step = step;
  ev.hasSummary = true;
  ev.what = 5;
  resetValue(val);
  val.tag = cachedUtf8(b, tagStart, tagEnd);
  val.payload = PayloadKind.SimpleValue;
  val.simpleValue = dataView(b).getFloat32(tagEnd + 1, true);
  return true;
}
