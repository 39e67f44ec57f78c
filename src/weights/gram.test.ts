import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnGram, rowGram } from './gram.js';

describe('Gram matrices', () => {
  it('rowGram and columnGram equal the dot-product definition for any shape (tiles and edges)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 9 }), fc.integer(), (rows, cols, seed) => {
        const v = new Float64Array(rows * cols).map((_, i) => Math.sin(i * 1.7 + seed));
        const g = rowGram(v, rows, cols);
        const c = columnGram(v, rows, cols);
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < rows; j++) {
            let s = 0;
            for (let k = 0; k < cols; k++) s += v[i * cols + k] * v[j * cols + k];
            expect(g[i * rows + j]).toBeCloseTo(s, 12);
          }
        for (let i = 0; i < cols; i++)
          for (let j = 0; j < cols; j++) {
            let s = 0;
            for (let k = 0; k < rows; k++) s += v[k * cols + i] * v[k * cols + j];
            expect(c[i * cols + j]).toBeCloseTo(s, 12);
          }
      }),
      { numRuns: 200 },
    );
  });
});
