import { createHash } from 'node:crypto';
import { DTYPE_SIZE, type DType } from '../../src/weights/dtype.js';

/** A tensor to write: raw little-endian bytes, as they will sit in the file. */
export interface CraftTensor {
  name: string;
  dtype: DType;
  shape: number[];
  data: Uint8Array;
}

/**
 * Builds a safetensors file in memory (tests and benches). `hash: true` adds a correct
 * `sshs_model_hash`. Header is space-padded to 8 bytes, as the reference writer does.
 */
export function craftSafetensors(tensors: CraftTensor[], metadata: Record<string, string> = {}, options: { hash?: boolean } = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    const expected = t.shape.reduce((a, b) => a * b, 1) * DTYPE_SIZE[t.dtype];
    if (expected !== t.data.length) throw new Error(`craftSafetensors: ${t.name} has ${t.data.length} bytes, shape needs ${expected}`);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const t of tensors) {
    data.set(t.data, at);
    at += t.data.length;
  }
  const meta = { ...metadata };
  if (options.hash) meta.sshs_model_hash = createHash('sha256').update(data).digest('hex');
  if (Object.keys(meta).length) header.__metadata__ = meta;
  return assemble(JSON.stringify(header), data);
}

/** Length prefix + header text (padded to a multiple of 8) + data. */
export function assemble(headerJson: string, data: Uint8Array): Uint8Array {
  let json = new TextEncoder().encode(headerJson);
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) {
    const padded = new Uint8Array(json.length + pad).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

export function f16Bytes(bits: number[] | Uint16Array): Uint8Array {
  const u = Uint16Array.from(bits);
  return new Uint8Array(u.buffer);
}

export function f32Bytes(values: number[] | Float32Array): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/** Round-to-nearest-even float → fp16 bits (for writing test data; NaN → 0x7e00). */
export function toHalfBits(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let man = u & 0x7fffff;
  if (exp === 0xff) return sign | (man ? 0x7e00 : 0x7c00);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    man |= 0x800000;
    const shift = 14 - e;
    let half = man >> shift;
    const rem = man & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (man >> 13);
  const rem = man & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}
