/**
 * Block means of ln(loss): the unit of evidence for trend rules. Per-step diffusion loss is set
 * mostly by the random timestep, so single points say little; a block of ≥ 50 points has a mean
 * whose noise is known from the blocks themselves. Blocks are aligned to the end of the series so
 * the last (most recent) block is complete; the first `offset` points are left out.
 *
 * Block sums are kept as running sums so a live run can extend them point by point (`appendBlocks`).
 */
export interface Blocks {
  /** Points per block. */
  w: number;
  count: number;
  /** Index (in the input arrays) of the first point used. */
  offset: number;
  mean: Float64Array;
  sd: Float64Array;
}

/** Block length for n points: `size` until there would be more than `maxBlocks` blocks, then n / maxBlocks. */
export function blockLength(n: number, size: number, maxBlocks: number): number {
  return n <= size * maxBlocks ? size : Math.floor(n / maxBlocks);
}

export function blockStats(values: Float64Array, n: number, w: number): Blocks {
  const count = w > 0 ? Math.floor(n / w) : 0;
  const offset = n - count * w;
  const mean = new Float64Array(count);
  const sd = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const from = offset + k * w;
    let s = 0;
    for (let i = from; i < from + w; i++) s += values[i];
    const m = s / w;
    let ss = 0;
    for (let i = from; i < from + w; i++) {
      const d = values[i] - m;
      ss += d * d;
    }
    mean[k] = m;
    sd[k] = w > 1 ? Math.sqrt(ss / (w - 1)) : 0;
  }
  return { w, count, offset, mean, sd };
}

/** Running block sums for live runs: O(1) per appended point, a block closes every `w` points. */
export interface BlockAccumulator {
  w: number;
  closed: { mean: number[]; sd: number[] };
  sum: number;
  sumSq: number;
  filled: number;
}

export function newBlockAccumulator(w: number): BlockAccumulator {
  return { w, closed: { mean: [], sd: [] }, sum: 0, sumSq: 0, filled: 0 };
}

/** Adds one ln(loss) value; returns true when it closed a block. */
export function appendBlocks(acc: BlockAccumulator, x: number): boolean {
  acc.sum += x;
  acc.sumSq += x * x;
  acc.filled++;
  if (acc.filled < acc.w) return false;
  const m = acc.sum / acc.w;
  const v = acc.w > 1 ? Math.max(0, (acc.sumSq - acc.w * m * m) / (acc.w - 1)) : 0;
  acc.closed.mean.push(m);
  acc.closed.sd.push(Math.sqrt(v));
  acc.sum = 0;
  acc.sumSq = 0;
  acc.filled = 0;
  return true;
}
