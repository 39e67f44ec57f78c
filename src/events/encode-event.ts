// A small Event writer: tests and benchmarks build their inputs with it, so tblens never needs
// Python or TensorFlow to make an event file. It writes the same bytes TensorBoard's writers do
// (field order, proto3 omission of defaults) for the subset tblens reads.

export interface TensorSpec {
  /** TensorFlow DataType number (DT_FLOAT 1, DT_DOUBLE 2, DT_HALF 19, DT_BFLOAT16 14, …). */
  dtype: number;
  /** Dimension sizes; `[]` writes an explicit empty shape (rank 0), as TF2's C++ writer does. Omitted: no shape field. */
  shape?: number[];
  tensorContent?: Uint8Array;
  floatVal?: number[];
  doubleVal?: number[];
  /** Raw fp16/bf16 bits, one per int32. */
  halfVal?: number[];
  intVal?: number[];
  /** Write repeated numeric fields packed (the proto3 default) or one key per element. */
  packed?: boolean;
}

export interface MetadataSpec {
  pluginName?: string;
  pluginContent?: Uint8Array;
  /** SummaryMetadata.DataClass: 1 SCALAR, 2 TENSOR, 3 BLOB_SEQUENCE. */
  dataClass?: number;
}

export interface ValueSpec {
  tag: string;
  simpleValue?: number;
  tensor?: TensorSpec;
  metadata?: MetadataSpec;
}

export interface EventSpec {
  /** Omitted when undefined (reads back as 0). */
  wallTime?: number;
  /** int64; omitted when 0 or undefined, as proto3 does. Negative values are 10-byte varints. */
  step?: number;
  fileVersion?: string;
  summary?: ValueSpec[];
  /** SessionLog status: 1 START, 2 STOP, 3 CHECKPOINT. */
  sessionStatus?: number;
}

/** Growable byte buffer for one message. */
interface Out {
  bytes: Uint8Array;
  length: number;
}

function newOut(capacity = 64): Out {
  return { bytes: new Uint8Array(capacity), length: 0 };
}

function ensure(out: Out, extra: number): void {
  if (out.length + extra <= out.bytes.length) return;
  const next = new Uint8Array(Math.max(out.bytes.length * 2, out.length + extra));
  next.set(out.bytes.subarray(0, out.length));
  out.bytes = next;
}

function raw(out: Out, data: Uint8Array): void {
  ensure(out, data.length);
  out.bytes.set(data, out.length);
  out.length += data.length;
}

/** Unsigned varint of a non-negative integer below 2^53. */
function varint(out: Out, value: number): void {
  ensure(out, 10);
  let v = value;
  while (v >= 0x80) {
    out.bytes[out.length++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out.bytes[out.length++] = v;
}

/** int64 varint: negative values as 10-byte two's complement, like protobuf. */
function int64(out: Out, value: number): void {
  if (value >= 0) return varint(out, value);
  let v = BigInt.asUintN(64, BigInt(Math.trunc(value)));
  ensure(out, 10);
  while (v >= 0x80n) {
    out.bytes[out.length++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out.bytes[out.length++] = Number(v);
}

/** int32 fields are sign-extended to 64 bits on the wire. */
function int32(out: Out, value: number): void {
  int64(out, value | 0);
}

const scratch = new DataView(new ArrayBuffer(8));

function fixed32Float(out: Out, value: number): void {
  scratch.setFloat32(0, value, true);
  ensure(out, 4);
  for (let k = 0; k < 4; k++) out.bytes[out.length++] = scratch.getUint8(k);
}

function fixed64Double(out: Out, value: number): void {
  scratch.setFloat64(0, value, true);
  ensure(out, 8);
  for (let k = 0; k < 8; k++) out.bytes[out.length++] = scratch.getUint8(k);
}

const utf8 = new TextEncoder();

function key(out: Out, field: number, wire: number): void {
  varint(out, (field << 3) | wire);
}

function lengthDelimited(out: Out, field: number, body: Out | Uint8Array): void {
  const data = body instanceof Uint8Array ? body : body.bytes.subarray(0, body.length);
  key(out, field, 2);
  varint(out, data.length);
  raw(out, data);
}

function string(out: Out, field: number, text: string): void {
  lengthDelimited(out, field, utf8.encode(text));
}

function repeated(out: Out, field: number, values: number[], packed: boolean, wire: 0 | 1 | 5, write: (o: Out, v: number) => void): void {
  if (values.length === 0) return;
  if (packed) {
    const body = newOut(values.length * 8);
    for (const v of values) write(body, v);
    lengthDelimited(out, field, body);
  } else {
    for (const v of values) {
      key(out, field, wire);
      write(out, v);
    }
  }
}

function encodeTensor(t: TensorSpec): Out {
  const out = newOut();
  const packed = t.packed ?? true;
  if (t.dtype !== 0) {
    key(out, 1, 0);
    varint(out, t.dtype);
  }
  if (t.shape) {
    const shape = newOut();
    for (const size of t.shape) {
      const dim = newOut(12);
      if (size !== 0) {
        key(dim, 1, 0);
        int64(dim, size);
      }
      lengthDelimited(shape, 2, dim);
    }
    lengthDelimited(out, 2, shape);
  }
  if (t.tensorContent && t.tensorContent.length > 0) lengthDelimited(out, 4, t.tensorContent);
  repeated(out, 5, t.floatVal ?? [], packed, 5, fixed32Float);
  repeated(out, 6, t.doubleVal ?? [], packed, 1, fixed64Double);
  repeated(out, 7, t.intVal ?? [], packed, 0, int32);
  repeated(out, 13, t.halfVal ?? [], packed, 0, int32);
  return out;
}

function encodeMetadata(m: MetadataSpec): Out {
  const out = newOut();
  if (m.pluginName !== undefined || m.pluginContent !== undefined) {
    const plugin = newOut();
    if (m.pluginName) string(plugin, 1, m.pluginName);
    if (m.pluginContent && m.pluginContent.length > 0) lengthDelimited(plugin, 2, m.pluginContent);
    lengthDelimited(out, 1, plugin);
  }
  if (m.dataClass) {
    key(out, 4, 0);
    varint(out, m.dataClass);
  }
  return out;
}

function encodeValue(v: ValueSpec): Out {
  const out = newOut();
  if (v.tag !== '') string(out, 1, v.tag);
  if (v.simpleValue !== undefined) {
    key(out, 2, 5);
    fixed32Float(out, v.simpleValue);
  }
  if (v.tensor) lengthDelimited(out, 8, encodeTensor(v.tensor));
  if (v.metadata) lengthDelimited(out, 9, encodeMetadata(v.metadata));
  return out;
}

/** Serialises one Event (the TFRecord payload). */
export function encodeEvent(event: EventSpec): Uint8Array {
  const out = newOut();
  if (event.wallTime !== undefined) {
    key(out, 1, 1);
    fixed64Double(out, event.wallTime);
  }
  if (event.step) {
    key(out, 2, 0);
    int64(out, event.step);
  }
  if (event.fileVersion !== undefined) string(out, 3, event.fileVersion);
  if (event.summary) {
    const summary = newOut();
    for (const v of event.summary) lengthDelimited(summary, 1, encodeValue(v));
    lengthDelimited(out, 5, summary);
  }
  if (event.sessionStatus !== undefined) {
    const log = newOut(4);
    if (event.sessionStatus) {
      key(log, 1, 0);
      varint(log, event.sessionStatus);
    }
    lengthDelimited(out, 7, log);
  }
  return out.bytes.slice(0, out.length);
}

const tagBytes = new Map<string, Uint8Array>();

/**
 * The Event a PyTorch `SummaryWriter.add_scalar` (and so kohya) writes: one simple_value, no
 * metadata. Benchmarks write millions of these, so the common shape is laid out directly; the
 * bytes equal `encodeEvent`'s.
 */
export function encodeScalarEvent(wallTime: number, step: number, tag: string, value: number): Uint8Array {
  let t = tagBytes.get(tag);
  if (!t) {
    t = utf8.encode(tag);
    if (tagBytes.size < 1024) tagBytes.set(tag, t);
  }
  const valueLen = 2 + t.length + 5;
  if (t.length === 0 || valueLen + 2 >= 0x80 || !(step >= 0 && step < 2 ** 35) || !Number.isInteger(step)) {
    return encodeEvent({ wallTime, step, summary: [{ tag, simpleValue: value }] });
  }
  const out = newOut(9 + 6 + 4 + valueLen);
  key(out, 1, 1);
  fixed64Double(out, wallTime);
  if (step) {
    key(out, 2, 0);
    varint(out, step);
  }
  out.bytes[out.length++] = 0x2a;
  out.bytes[out.length++] = valueLen + 2;
  out.bytes[out.length++] = 0x0a;
  out.bytes[out.length++] = valueLen;
  out.bytes[out.length++] = 0x0a;
  out.bytes[out.length++] = t.length;
  raw(out, t);
  key(out, 2, 5);
  fixed32Float(out, value);
  return out.length === out.bytes.length ? out.bytes : out.bytes.slice(0, out.length);
}

/** The first record of every file TensorBoard-compatible writers produce. */
export function encodeFileVersionEvent(wallTime: number, version = 'brain.Event:2'): Uint8Array {
  return encodeEvent({ wallTime, fileVersion: version });
}
