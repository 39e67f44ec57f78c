import protobuf from 'protobufjs/minimal.js';
import { DT, bfloat16ToNumber, elementSize, halfToNumber } from './dtype.js';

const { Reader } = protobuf;
const reader = Reader.create(new Uint8Array(0));

/** A scalar read from a TensorProto, and whether TensorBoard's data server would read it too. */
export interface TensorScalar {
  value: number;
  /** DT_FLOAT, rank 0, one float_val or 4 bytes of tensor_content: the only form the data server keeps. */
  dataServerForm: boolean;
}

const scratch: TensorScalar = { value: NaN, dataServerForm: false };
const dv = { view: new DataView(new ArrayBuffer(8)) };

/**
 * Reads a one-element tensor (rank 0, or every dimension 1) of a numeric dtype from
 * bytes[start, end). Returns undefined for anything else (strings, several elements, unknown dtype).
 * The returned object is reused.
 */
export function tensorScalar(bytes: Uint8Array, start: number, end: number): TensorScalar | undefined {
  reader.buf = bytes;
  reader.pos = start;
  reader.len = end;
  let dtype = 0;
  let rank = 0;
  let elements = 1;
  let contentStart = -1;
  let contentEnd = -1;
  let count = 0; // values seen in the typed *_val field
  let value = NaN;
  let fromFloatVal = false;
  try {
    while (reader.pos < end) {
      const key = reader.uint32();
      const field = key >>> 3;
      const wire = key & 7;
      if (field === 1 && wire === 0) dtype = reader.uint32();
      else if (field === 2 && wire === 2) {
        const l = reader.uint32();
        const sEnd = reader.pos + l;
        while (reader.pos < sEnd) {
          const k = reader.uint32();
          if (k === 18) {
            const dl = reader.uint32();
            const dEnd = reader.pos + dl;
            let size = 1;
            while (reader.pos < dEnd) {
              const dk = reader.uint32();
              if (dk === 8) size = toNumber(reader.int64());
              else reader.skipType(dk & 7);
            }
            rank++;
            elements *= size;
          } else reader.skipType(k & 7);
        }
      } else if (field === 4 && wire === 2) {
        const l = reader.uint32();
        contentStart = reader.pos;
        contentEnd = reader.pos + l;
        if (contentEnd > end) throw new RangeError('tensor_content past end of tensor');
        reader.pos = contentEnd;
      } else if (field === 5) {
        fromFloatVal = true;
        if (wire === 2) {
          const l = reader.uint32();
          const e = reader.pos + l;
          while (reader.pos < e) {
            value = reader.float();
            count++;
          }
        } else {
          value = reader.float();
          count++;
        }
      } else if (field === 6) {
        if (wire === 2) {
          const l = reader.uint32();
          const e = reader.pos + l;
          while (reader.pos < e) {
            value = reader.double();
            count++;
          }
        } else {
          value = reader.double();
          count++;
        }
      } else if (field === 7 || field === 13 || field === 10 || field === 11 || field === 16 || field === 17) {
        // int_val / half_val / int64_val / bool_val / uint32_val / uint64_val: varints
        const read = () => {
          const v = field === 10 || field === 17 ? toNumber(reader.int64()) : reader.int32();
          return decodeIntField(dtype, field, v);
        };
        if (wire === 2) {
          const l = reader.uint32();
          const e = reader.pos + l;
          while (reader.pos < e) {
            value = read();
            count++;
          }
        } else {
          value = read();
          count++;
        }
      } else reader.skipType(wire);
    }
  } catch {
    return undefined;
  }
  if (elements !== 1) return undefined;
  const size = elementSize(dtype);
  if (size === 0) return undefined;
  if (contentStart >= 0 && contentEnd > contentStart) {
    if (contentEnd - contentStart !== size) return undefined;
    scratch.value = readContent(bytes, contentStart, dtype);
    scratch.dataServerForm = dtype === DT.FLOAT && rank === 0;
    return scratch;
  }
  if (count !== 1) return undefined;
  // half_val holds raw bits; the dtype decides how to read them (handled in decodeIntField).
  scratch.value = value;
  scratch.dataServerForm = dtype === DT.FLOAT && rank === 0 && fromFloatVal;
  return scratch;
}

/** protobufjs returns a Long object for int64 when the `long` package is present. */
function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
}

function decodeIntField(dtype: number, field: number, v: number): number {
  if (field === 13) return dtype === DT.BFLOAT16 ? bfloat16ToNumber(v & 0xffff) : halfToNumber(v & 0xffff);
  if (dtype === DT.BOOL) return v ? 1 : 0;
  if (dtype === DT.UINT32 && field !== 17) return v >>> 0;
  return v;
}

function readContent(bytes: Uint8Array, at: number, dtype: number): number {
  const view = dv.view;
  const size = elementSize(dtype);
  for (let k = 0; k < size; k++) view.setUint8(k, bytes[at + k]);
  switch (dtype) {
    case DT.FLOAT:
      return view.getFloat32(0, true);
    case DT.DOUBLE:
      return view.getFloat64(0, true);
    case DT.HALF:
      return halfToNumber(view.getUint16(0, true));
    case DT.BFLOAT16:
      return bfloat16ToNumber(view.getUint16(0, true));
    case DT.INT32:
      return view.getInt32(0, true);
    case DT.UINT32:
      return view.getUint32(0, true);
    case DT.INT64:
      return Number(view.getBigInt64(0, true));
    case DT.UINT64:
      return Number(view.getBigUint64(0, true));
    case DT.INT16:
      return view.getInt16(0, true);
    case DT.UINT16:
      return view.getUint16(0, true);
    case DT.INT8:
      return view.getInt8(0);
    case DT.UINT8:
      return view.getUint8(0);
    case DT.BOOL:
      return view.getUint8(0) ? 1 : 0;
    default:
      return NaN;
  }
}
