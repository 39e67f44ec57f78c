import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble, craftSafetensors, f16Bytes, f32Bytes, toHalfBits } from '../../test/support/craft-safetensors.js';
import { readWeightsSummary } from './read-summary.js';

const dir = mkdtempSync(join(tmpdir(), 'tblens-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
function write(bytes: Uint8Array): string {
  const path = join(dir, `t${counter++}.safetensors`);
  writeFileSync(path, bytes);
  return path;
}

function lengthPrefix(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
}

describe('readWeightsSummary on crafted files', () => {
  it('counts fp16 NaN with any payload, ±Inf, ±0 on the bits', async () => {
    // 0x7c01 and 0x7fff are NaN with payload bits; 0xfe00 a negative quiet NaN; 0x0001 the smallest subnormal.
    const bits = [0x7c01, 0x7fff, 0xfe00, 0x7c00, 0xfc00, 0x0000, 0x8000, 0x0001, 0x3c00, 0xbc00, 0x7bff];
    const path = write(craftSafetensors([{ name: 'm.lora_up.weight', dtype: 'F16', shape: [11, 1], data: f16Bytes(bits) }]));
    const r = await readWeightsSummary(path);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const h = r.details.tensors[0].health;
    expect([h.nan, h.posInf, h.negInf, h.zeros, h.finite]).toEqual([3, 1, 1, 2, 6]);
    expect(h.max).toBe(65504);
    expect(h.min).toBe(-1);
    expect(r.summary.nanElements).toBe(3);
    expect(r.summary.infElements).toBe(2);
    expect(r.summary.nanTensors).toEqual(['m.lora_up.weight']);
    expect(r.summary.infTensors).toEqual(['m.lora_up.weight']);
  });

  it('counts bf16 Inf and NaN on the bits', async () => {
    const bits = [0x7f80, 0xff80, 0x7fc1, 0xff81, 0x3f80, 0x0000, 0x8000];
    const path = write(craftSafetensors([{ name: 'x', dtype: 'BF16', shape: [7], data: f16Bytes(bits) }]));
    const r = await readWeightsSummary(path);
    if (!r.ok) throw new Error(r.error);
    const h = r.details.tensors[0].health;
    expect([h.nan, h.posInf, h.negInf, h.zeros, h.finite]).toEqual([2, 1, 1, 2, 3]);
    expect(h.max).toBe(1);
  });

  it('reads F32, F64 and integer dtypes', async () => {
    const f64 = new Float64Array([1.5, NaN, -Infinity, 0]);
    const i8 = new Int8Array([-3, 0, 5]);
    const i64 = new BigInt64Array([-7n, 0n, 9n]);
    const path = write(
      craftSafetensors([
        { name: 'a', dtype: 'F32', shape: [3], data: f32Bytes([2, NaN, Infinity]) },
        { name: 'b', dtype: 'F64', shape: [4], data: new Uint8Array(f64.buffer) },
        { name: 'c', dtype: 'I8', shape: [3], data: new Uint8Array(i8.buffer) },
        { name: 'd', dtype: 'I64', shape: [3], data: new Uint8Array(i64.buffer) },
        { name: 'e', dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) },
      ]),
    );
    const r = await readWeightsSummary(path);
    if (!r.ok) throw new Error(r.error);
    const byName = Object.fromEntries(r.details.tensors.map((t) => [t.name, t.health]));
    expect([byName.a.nan, byName.a.posInf, byName.a.max]).toEqual([1, 1, 2]);
    expect([byName.b.nan, byName.b.negInf, byName.b.zeros, byName.b.max]).toEqual([1, 1, 1, 1.5]);
    expect([byName.c.min, byName.c.max, byName.c.zeros]).toEqual([-3, 5, 1]);
    expect([byName.d.min, byName.d.max, byName.d.sumAbs]).toEqual([-7, 9, 16]);
    expect([byName.e.zeros, byName.e.max]).toEqual([1, 1]);
    expect(r.summary.dtypes).toEqual(['BOOL', 'F32', 'F64', 'I64', 'I8']);
  });

  it('handles tensors at odd offsets and elements split across read chunks', async () => {
    const n = 1001;
    const values = Array.from({ length: n }, (_, i) => (i % 7 === 2 ? NaN : (i - 500) / 64));
    const tensors = [
      { name: 'odd', dtype: 'U8' as const, shape: [3], data: new Uint8Array([1, 2, 3]) },
      { name: 'h', dtype: 'F16' as const, shape: [n], data: f16Bytes(values.map(toHalfBits)) },
      { name: 'f', dtype: 'F32' as const, shape: [n], data: f32Bytes(values) },
    ];
    const path = write(craftSafetensors(tensors));
    for (const chunkSize of [64, 72, 1000, 1 << 20]) {
      const r = await readWeightsSummary(path, { chunkSize });
      if (!r.ok) throw new Error(r.error);
      const [u8, h, f] = r.details.tensors;
      expect(u8.health.sumAbs).toBe(6);
      const nan = values.filter((v) => Number.isNaN(v)).length;
      for (const t of [h, f]) {
        expect(t.health.nan).toBe(nan);
        expect(t.health.elements).toBe(n);
        expect(t.health.min).toBe(-500 / 64);
        expect(t.health.max).toBe(500 / 64);
        expect(t.health.zeros).toBe(1);
      }
      expect(h.health.sumSquares).toBeCloseTo(f.health.sumSquares, 6);
    }
  });

  it('flags an untrained LoRA (every lora_up exactly zero) and the zero groups', async () => {
    const down = f16Bytes(Array.from({ length: 8 }, (_, i) => toHalfBits(0.1 * (i + 1))));
    const zeros = f16Bytes(new Array(8).fill(0));
    const nonzero = f16Bytes(new Array(8).fill(toHalfBits(0.01)));
    const mod = (m: string, up: Uint8Array) => [
      { name: `${m}.alpha`, dtype: 'F16' as const, shape: [], data: f16Bytes([toHalfBits(1)]) },
      { name: `${m}.lora_down.weight`, dtype: 'F16' as const, shape: [2, 4], data: down },
      { name: `${m}.lora_up.weight`, dtype: 'F16' as const, shape: [4, 2], data: up },
    ];
    const untrained = write(
      craftSafetensors([...mod('lora_te_text_model_encoder_layers_0_mlp_fc1', zeros), ...mod('lora_unet_down_blocks_0_attentions_0_proj_in', zeros)]),
    );
    const r = await readWeightsSummary(untrained);
    if (!r.ok) throw new Error(r.error);
    expect([r.summary.upTensors, r.summary.zeroUpTensors]).toEqual([2, 2]);
    expect(r.details.modules.every((m) => m.deltaNorm === 0)).toBe(true);

    const partly = write(
      craftSafetensors([...mod('lora_te_text_model_encoder_layers_0_mlp_fc1', zeros), ...mod('lora_unet_down_blocks_0_attentions_0_proj_in', nonzero)]),
    );
    const p = await readWeightsSummary(partly);
    if (!p.ok) throw new Error(p.error);
    expect(p.summary.zeroUpTensors).toBe(1);
    expect(p.summary.groups).toEqual([
      { group: 'te', modules: 1, upTensors: 1, zeroUpTensors: 1, nanElements: 0, infElements: 0 },
      { group: 'down', modules: 1, upTensors: 1, zeroUpTensors: 0, nanElements: 0, infElements: 0 },
    ]);
  });

  it('verifies sshs_model_hash and reports a mismatch', async () => {
    const t = [{ name: 'x.lora_up.weight', dtype: 'F16' as const, shape: [2, 2], data: f16Bytes([1, 2, 3, 4]) }];
    const good = await readWeightsSummary(write(craftSafetensors(t, { ss_steps: '10' }, { hash: true })));
    if (!good.ok) throw new Error(good.error);
    expect(good.summary.hashMismatch).toBe(false);
    expect(good.summary.steps).toBe(10);
    const bad = await readWeightsSummary(write(craftSafetensors(t, { sshs_model_hash: 'ab'.repeat(32) })));
    if (!bad.ok) throw new Error(bad.error);
    expect(bad.summary.hashMismatch).toBe(true);
    const none = await readWeightsSummary(write(craftSafetensors(t)));
    if (!none.ok) throw new Error(none.error);
    expect(none.summary.hashMismatch).toBeUndefined();
  });
});

describe('readWeightsSummary rejects bad files with a one-line error naming the file', () => {
  const expectError = async (bytes: Uint8Array, pattern: RegExp) => {
    const path = write(bytes);
    const r = await readWeightsSummary(path);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.startsWith(path)).toBe(true);
    expect(r.error).not.toContain('\n');
    expect(r.error).toMatch(pattern);
  };
  const entry = (name: string, dtype: string, shape: number[], offsets: unknown[]) => ({ [name]: { dtype, shape, data_offsets: offsets } });

  it('a header length of 2^63 bytes', () => expectError(new Uint8Array([...lengthPrefix(1n << 63n), 0x7b, 0x7d]), /100 MB limit/));
  it('a header length past the end of the file', () => expectError(new Uint8Array([...lengthPrefix(1000n), 0x7b, 0x7d]), /runs past the end/));
  it('a file shorter than the length prefix', () => expectError(new Uint8Array([1, 2, 3]), /too short/));
  it('a non-JSON header', () => expectError(assemble('{"a": [1, 2', new Uint8Array(0)), /not valid JSON/));
  // Found by the fuzz test in CI: V8's JSON.parse message quotes the input, here a raw newline inside a key.
  it('a raw newline inside a header string, located at the start of the string', () =>
    expectError(
      assemble('{"n.weight\n":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}', new Uint8Array(0)),
      /not valid JSON: UnexpectedEndOfString at byte 9$/,
    ));
  it('a header that is not UTF-8', () => expectError(new Uint8Array([...lengthPrefix(4n), 0x7b, 0xff, 0xfe, 0x7d]), /not valid UTF-8/));
  it('a header that is a JSON array', () => expectError(assemble('[1]', new Uint8Array(0)), /does not start with|not a JSON object/));
  it('overlapping offsets', () =>
    expectError(
      assemble(JSON.stringify({ ...entry('a', 'F16', [4], [0, 8]), ...entry('b', 'F16', [4], [4, 12]) }), new Uint8Array(12)),
      /"b" \[4, 12\) overlaps tensor "a"/,
    ));
  it('a gap between tensors', () =>
    expectError(assemble(JSON.stringify({ ...entry('a', 'F16', [2], [0, 4]), ...entry('b', 'F16', [2], [6, 10]) }), new Uint8Array(10)), /gap of 2 bytes/));
  it('an unknown dtype', () => expectError(assemble(JSON.stringify(entry('a', 'F4', [2], [0, 1])), new Uint8Array(1)), /unknown dtype "F4"/));
  it('a size that does not match the shape', () => expectError(assemble(JSON.stringify(entry('a', 'F32', [3], [0, 8])), new Uint8Array(8)), /needs 12/));
  it('offsets of 2^63', () =>
    expectError(assemble(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[9223372036854775808,9223372036854775809]}}`, new Uint8Array(1)), /below 2\^53/));
  it('a shape with more than 2^53 elements', () =>
    expectError(assemble(JSON.stringify(entry('a', 'U8', [2 ** 30, 2 ** 30, 2 ** 30], [0, 1])), new Uint8Array(1)), /more than 2\^53/));
  it('truncated data', async () => {
    const path = write(craftSafetensors([{ name: 'a', dtype: 'F32', shape: [100], data: new Uint8Array(400) }]));
    truncateSync(path, 300);
    const r = await readWeightsSummary(path);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/tensor "a".*truncated/);
  });
  it('a missing file and a directory', async () => {
    const missing = await readWeightsSummary(join(dir, 'nope.safetensors'));
    expect(!missing.ok && missing.error).toMatch(/no such file/);
    const isDir = await readWeightsSummary(dir);
    expect(isDir.ok).toBe(false);
  });
  it('keeps going past bytes after the last tensor, with a warning', async () => {
    const bytes = assemble(JSON.stringify(entry('a', 'U8', [2], [0, 2])), new Uint8Array(5));
    const r = await readWeightsSummary(write(bytes));
    if (!r.ok) throw new Error(r.error);
    expect(r.details.warnings[0]).toMatch(/3 bytes after the last tensor/);
  });
});

describe('hostile header shapes', () => {
  it('a deeply nested shape gives a short error, not a stack overflow message', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const path = write(assemble(`{"a":{"dtype":"F16","shape":${deep},"data_offsets":[0,2]}}`, new Uint8Array(2)));
    const r = await readWeightsSummary(path);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(/shape .* is not a list of non-negative integers/);
      expect(r.error.length).toBeLessThan(300);
    }
  });
});

describe('big 16-bit tensors (pattern-count path)', () => {
  it('counts the same NaN/Inf/zeros and statistics as the element path, across read chunks', async () => {
    const n = 300_001; // above HALF_COUNT_MIN (2^18), odd
    const bits = new Uint16Array(n);
    let s = 7;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      bits[i] = s % 997 === 0 ? 0x7e01 : s % 1009 === 0 ? 0xfc00 : s % 13 === 0 ? 0 : toHalfBits((s / 2 ** 32 - 0.5) * 0.1);
    }
    const small = Array.from(bits.subarray(0, 1000)); // same patterns, element path
    // The 2-byte U8 tensor first puts both F16 tensors at data offsets ≡ 2 (mod 4): the 32-bit loads must realign.
    const path = write(
      craftSafetensors([
        { name: 'pad', dtype: 'U8', shape: [2], data: new Uint8Array([0, 0]) },
        { name: 'big.lora_up.weight', dtype: 'F16', shape: [n, 1], data: new Uint8Array(bits.buffer) },
        { name: 'small', dtype: 'F16', shape: [1000], data: f16Bytes(small) },
      ]),
    );
    const r = await readWeightsSummary(path, { chunkSize: 4096 });
    if (!r.ok) throw new Error(r.error);
    const big = r.details.tensors[1].health;
    const smallH = r.details.tensors[2].health;
    const smallNan = small.filter((b) => b === 0x7e01).length;
    expect([smallH.nan, smallH.elements]).toEqual([smallNan, 1000]);
    let nan = 0,
      negInf = 0,
      zeros = 0;
    for (const b of bits) {
      if (b === 0x7e01) nan++;
      else if (b === 0xfc00) negInf++;
      else if ((b & 0x7fff) === 0) zeros++;
    }
    expect([big.elements, big.nan, big.negInf, big.posInf, big.zeros]).toEqual([n, nan, negInf, 0, zeros]);
    expect(nan).toBeGreaterThan(10);
    expect(r.summary.nanElements).toBe(nan + smallNan);
    expect(big.max).toBeLessThanOrEqual(0.05);
    expect(big.min).toBeGreaterThanOrEqual(-0.05);
    // Concurrent scans (one takes the shared pattern counts, the other goes element by element) agree.
    const both = await Promise.all([readWeightsSummary(path, { chunkSize: 4096 }), readWeightsSummary(path, { chunkSize: 8192 })]);
    for (const x of both) {
      if (!x.ok) throw new Error(x.error);
      const hb = x.details.tensors[1].health;
      expect([hb.elements, hb.nan, hb.negInf, hb.zeros, hb.min, hb.max]).toEqual([big.elements, big.nan, big.negInf, big.zeros, big.min, big.max]);
      expect(hb.sumSquares).toBeCloseTo(big.sumSquares, 9);
    }
  });
});
