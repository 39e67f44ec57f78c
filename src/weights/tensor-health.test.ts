import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimCounts, countHalf, healthFromCounts, releaseCounts } from './half-scan.js';
import { newHealth, scanElements } from './tensor-health.js';

/** The definition, one element at a time, from the IEEE bit layout (diagnosis.md §3.6 masks). */
function reference(bits: number[], expBits: 5 | 8) {
  const manBits = 15 - expBits;
  const expMask = ((1 << expBits) - 1) << manBits;
  const manMask = (1 << manBits) - 1;
  const bias = (1 << (expBits - 1)) - 1;
  let nan = 0,
    pos = 0,
    neg = 0,
    zeros = 0,
    sa = 0,
    sq = 0,
    min = Infinity,
    max = -Infinity;
  for (const b of bits) {
    const sign = b & 0x8000 ? -1 : 1;
    const e = (b & expMask) >> manBits;
    const m = b & manMask;
    if ((b & expMask) === expMask) {
      if (m) nan++;
      else if (sign < 0) neg++;
      else pos++;
      continue;
    }
    const v = e === 0 ? sign * m * 2 ** (1 - bias - manBits) : sign * (1 + m / 2 ** manBits) * 2 ** (e - bias);
    if (v === 0) zeros++;
    sa += Math.abs(v);
    sq += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { nan, pos, neg, zeros, sa, sq, min: min === 0 ? 0 : min, max: max === 0 ? 0 : max };
}

describe('16-bit scan equals the per-element definition', () => {
  for (const [dtype, expBits] of [
    ['F16', 5],
    ['BF16', 8],
  ] as const) {
    it(dtype, () => {
      const special = expBits === 5 ? [0x7c00, 0xfc00, 0x7c01, 0xfe00, 0x0000, 0x8000] : [0x7f80, 0xff80, 0x7f81, 0xffc0, 0x0000, 0x8000];
      fc.assert(
        fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(...special)), { maxLength: 300 }), fc.nat(3), (bits, skew) => {
          // Scan in two pieces to exercise accumulation across calls.
          const cut = Math.min(bits.length, skew * 2 + 1);
          const h = newHealth();
          for (const part of [bits.slice(0, cut), bits.slice(cut)]) scanElements(dtype, new Uint8Array(Uint16Array.from(part).buffer), h);
          const r = reference(bits, expBits);
          // The counting path (used for big tensors) must agree exactly on counts and extremes.
          expect(claimCounts()).toBe(true);
          expect(claimCounts()).toBe(false); // one holder at a time
          for (const part of [bits.slice(0, cut), bits.slice(cut)]) countHalf(new Uint8Array(Uint16Array.from(part).buffer));
          const c = newHealth();
          healthFromCounts(dtype, c);
          releaseCounts(false);
          // Cleared for the next tensor: counting nothing gives nothing.
          expect(claimCounts()).toBe(true);
          const empty = newHealth();
          healthFromCounts(dtype, empty);
          releaseCounts(false);
          expect(empty.elements).toBe(0);
          expect([c.nan, c.posInf, c.negInf, c.zeros, c.elements, c.min, c.max]).toEqual([r.nan, r.pos, r.neg, r.zeros, bits.length, r.min, r.max]);
          expect(c.sumAbs / (r.sa || 1)).toBeCloseTo(r.sa ? 1 : 0, 9);
          expect(c.sumSquares / (r.sq || 1)).toBeCloseTo(r.sq ? 1 : 0, 9);
          expect([h.nan, h.posInf, h.negInf, h.zeros, h.elements]).toEqual([r.nan, r.pos, r.neg, r.zeros, bits.length]);
          expect(h.min).toBe(r.min);
          expect(h.max).toBe(r.max);
          expect(h.sumAbs / (r.sa || 1)).toBeCloseTo(r.sa ? 1 : 0, 9);
          expect(h.sumSquares / (r.sq || 1)).toBeCloseTo(r.sq ? 1 : 0, 9);
        }),
        { numRuns: 400 },
      );
    });
  }
});

describe('order keys', () => {
  it('sort finite 16-bit patterns by value and invert', async () => {
    const { orderKey, fromOrderKey } = await import('./half-scan.js');
    const { lookup } = await import('./float-tables.js');
    const value = lookup().f16.value;
    const finite = Array.from({ length: 65536 }, (_, b) => b).filter((b) => (b & 0x7c00) !== 0x7c00);
    const byKey = [...finite].sort((a, b) => orderKey(a) - orderKey(b));
    for (let i = 1; i < byKey.length; i++) expect(value[byKey[i - 1]] <= value[byKey[i]]).toBe(true);
    for (const b of finite) expect(fromOrderKey(orderKey(b))).toBe(b);
  });
});
