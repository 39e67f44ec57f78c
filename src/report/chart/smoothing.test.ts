import { describe, expect, it } from 'vitest';
import { smoothBuckets, smoothTensorBoard } from './smoothing.js';

// Worked by hand with w = 0.5: last 0.5 → /0.5 = 1; 1.25 → /0.75 = 5/3; NaN passes; 2.625 → /0.875 = 3;
// Inf passes; 2.8125 → /0.9375 = 3.
const INPUT = [1, 2, NaN, 4, Infinity, 3];
const EXPECTED = [1, 5 / 3, NaN, 3, Infinity, 3];

const CASES: { name: string; values: number[]; w: number; expected: number[] }[] = [
  { name: 'hand-computed vector, w=0.5', values: INPUT, w: 0.5, expected: EXPECTED },
  { name: 'default weight 0.6', values: [1, 2], w: 0.6, expected: [1, 1.04 / 0.64] },
  { name: 'constant series unchanged', values: [2, 2, 2], w: 0.9, expected: [2, 2, 2] },
  { name: 'NaN-first series is not constant', values: [NaN, 1, 1], w: 0.9, expected: [NaN, 1, 1] },
  { name: 'w = 1 gives 0', values: [1, 2, -Infinity], w: 1, expected: [0, 0, -Infinity] },
  { name: 'w above 1 is clamped to 1', values: [1, 2], w: 1.5, expected: [0, 0] },
  { name: 'non-finite w is 0 (no smoothing)', values: [1, 2, NaN], w: NaN, expected: [1, 2, NaN] },
  { name: 'negative w is clamped to 0', values: [3, 1], w: -2, expected: [3, 1] },
  { name: 'empty', values: [], w: 0.6, expected: [] },
];

describe('TensorBoard smoothing', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const got = Array.from(smoothTensorBoard(c.values, c.w));
      expect(got.length).toBe(c.expected.length);
      got.forEach((g, i) => (Number.isNaN(c.expected[i]) ? expect(g).toBeNaN() : expect(g).toBeCloseTo(c.expected[i], 12)));
    });
  }

  it('equals the textbook formula bit for bit on long series (Math.pow stops only where 1 − wⁿ is exactly 1)', () => {
    const values = Array.from({ length: 60_000 }, (_, i) => (i % 977 === 0 ? NaN : 0.05 + 0.03 * Math.sin(i * 0.013) + ((i * 7919) % 101) / 1000));
    for (const w of [0.6, 0.9, 0.999]) {
      let last = 0;
      let n = 0;
      const naive = values.map((y) => {
        if (!Number.isFinite(y)) return y;
        last = last * w + (1 - w) * y;
        n++;
        return last / (1 - Math.pow(w, n));
      });
      const server = smoothTensorBoard(values, w);
      let differing = 0;
      for (let i = 0; i < values.length; i++) if (!Object.is(server[i], naive[i])) differing++;
      expect(differing).toBe(0);
    }
  });

  it('bucket form equals the point form when each bucket holds equal values', () => {
    // [1,1,3,3] at w=0.5 by hand: 1, 1, 1.875/0.875, 2.4375/0.9375 = 2.6
    expect(smoothTensorBoard([1, 1, 3, 3], 0.5)[3]).toBeCloseTo(2.6, 12);
    const b = smoothBuckets([1, 3], [2, 2], 0.5, false);
    expect(b[0]).toBeCloseTo(1, 12);
    expect(b[1]).toBeCloseTo(2.6, 12);
  });

  it('bucket form: a bucket without finite values is NaN and leaves the average untouched', () => {
    const a = smoothBuckets([0.3, NaN, 0.7], [3, 0, 5], 0.8, false);
    const b = smoothBuckets([0.3, 0.7], [3, 5], 0.8, false);
    expect(a[1]).toBeNaN();
    expect(a[2]).toBe(b[1]);
    expect(smoothBuckets([1, 3], [2, 2], 0.5, false)[1]).toBeCloseTo(2.6, 12);
  });

  it('bucket form with one point per bucket is the point form', () => {
    const values = [0.3, 0.1, 0.7, 0.2, 0.9, 0.05];
    const b = smoothBuckets(
      values,
      values.map(() => 1),
      0.6,
      false,
    );
    const p = smoothTensorBoard(values, 0.6);
    values.forEach((_, i) => expect(b[i]).toBeCloseTo(p[i], 12));
  });
});
