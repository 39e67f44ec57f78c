import { blockLength } from '../blocks.js';
import type { DetectConfig } from '../config.js';

/**
 * The judged loss of a live run, kept so the explosion rule can be re-checked after every poll
 * without re-scanning the series: ln of each finite positive value (the points `lossView` keeps)
 * and prefix sums of them and of their squares. Any block mean and sd is then O(1), and the
 * batch rule's scan (≤ maxBlocks blocks at two scales) is O(K²) with K ≤ maxBlocks, whatever the
 * run length.
 */
export interface LossGate {
  /** Finite positive points so far. */
  n: number;
  /** Prefix sums of (ln x − shift) and its square; index i holds the sum of the first i points. */
  sum: Float64Array;
  sumSq: Float64Array;
  /** ln of the first point: subtracted so the squares do not cancel for low-noise losses. */
  shift: number;
  /** Points of the series fed so far (finite or not), to tell appends from replacements. */
  fed: number;
  /** n after each fed series point, so a replaced tail can be rolled back without a rescan. */
  nAfter: Int32Array;
  /** Largest finite positive value since the last median snapshot. */
  maxSinceSnapshot: number;
  /** Sorted positive values at the last snapshot, and positive values added since. */
  sorted: Float64Array;
  addedSinceSnapshot: number;
}

export function newLossGate(): LossGate {
  return {
    n: 0,
    sum: new Float64Array(1025),
    sumSq: new Float64Array(1025),
    shift: NaN,
    fed: 0,
    nAfter: new Int32Array(1024),
    maxSinceSnapshot: 0,
    sorted: new Float64Array(0),
    addedSinceSnapshot: 0,
  };
}

/** Adds the series' next value (O(1) amortised). */
export function appendLoss(g: LossGate, x: number): void {
  if (g.fed === g.nAfter.length) {
    const next = new Int32Array(g.nAfter.length * 2);
    next.set(g.nAfter);
    g.nAfter = next;
  }
  g.fed++;
  if (!(x > 0 && x < Infinity)) {
    g.nAfter[g.fed - 1] = g.n;
    return;
  }
  const l = Math.log(x);
  if (g.n === 0) g.shift = l;
  if (g.n + 1 >= g.sum.length) {
    g.sum = grow(g.sum);
    g.sumSq = grow(g.sumSq);
  }
  const d = l - g.shift;
  g.sum[g.n + 1] = g.sum[g.n] + d;
  g.sumSq[g.n + 1] = g.sumSq[g.n] + d * d;
  g.n++;
  g.nAfter[g.fed - 1] = g.n;
  g.addedSinceSnapshot++;
  if (x > g.maxSinceSnapshot) g.maxSinceSnapshot = x;
}

/**
 * Forgets the series points from index `length` on (preemption replaced them): O(1). Kohya with
 * gradient accumulation logs every micro-batch at the same step, so the last point is replaced
 * G−1 times per step; a rescan each time would make the run quadratic.
 */
export function rollbackLoss(g: LossGate, length: number): void {
  if (length >= g.fed) return;
  g.fed = length;
  g.n = length > 0 ? g.nAfter[length - 1] : 0;
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/** Block length the batch rule uses for the current number of points. */
export function gateBlockLength(g: LossGate, c: DetectConfig['explosion']): number {
  return blockLength(g.n, c.blockSize, c.maxBlocks);
}

/**
 * Whether the explosion rule could fire on the points so far: the batch scan (end-aligned blocks,
 * each block against the lowest earlier one, noise = median sd of the earlier blocks, at the
 * block scale and `coarseFactor` times it), with thresholds lowered by `slack` so rounding in
 * the prefix sums (≈1e-12 relative) can only open the gate early, never late. The batch detector
 * decides (it also folds a rise that ends in NaN into the NaN finding).
 */
export function riseMayFire(g: LossGate, c: DetectConfig['explosion'], minPoints: number, slack = 1e-6): boolean {
  if (g.n < minPoints) return false;
  const w = gateBlockLength(g, c);
  if (scanFires(g, w, c, slack)) return true;
  return c.coarseFactor > 1 && Math.floor(g.n / (w * c.coarseFactor)) >= 3 && scanFires(g, w * c.coarseFactor, c, slack);
}

function scanFires(g: LossGate, w: number, c: DetectConfig['explosion'], slack: number): boolean {
  const K = w > 0 ? Math.floor(g.n / w) : 0;
  if (K < 2) return false;
  const offset = g.n - K * w;
  const zWarn = c.zWarn * (1 - slack);
  const lnWarn = Math.log(c.ratioWarn) * (1 - slack);
  const sds: number[] = [];
  let best = Infinity;
  for (let k = 0; k < K; k++) {
    const a = offset + k * w;
    const s = g.sum[a + w] - g.sum[a];
    const m = s / w;
    if (k > 0) {
      const noise = medianSorted(sds);
      const d = m - best;
      const se = (Math.SQRT2 * noise) / Math.sqrt(w);
      const z = d <= 0 ? 0 : se > 0 ? d / se : Infinity;
      if (z >= zWarn && d >= lnWarn) return true;
    }
    if (m < best) best = m;
    const ss = g.sumSq[a + w] - g.sumSq[a];
    const variance = w > 1 ? Math.max(0, (ss - w * m * m) / (w - 1)) : 0;
    insertSorted(sds, Math.sqrt(variance));
  }
  return false;
}

function insertSorted(a: number[], x: number): void {
  let i = a.length;
  a.push(x);
  while (i > 0 && a[i - 1] > x) {
    a[i] = a[i - 1];
    i--;
  }
  a[i] = x;
}

function medianSorted(a: number[]): number {
  const n = a.length;
  const h = n >> 1;
  return n % 2 === 1 ? a[h] : (a[h - 1] + a[h]) / 2;
}

/**
 * Takes a sorted copy of the positive values (at evaluation time, O(n log n), amortised over the
 * block of points until the next one) so a single extreme point can be spotted in O(1).
 */
export function snapshotMedian(g: LossGate, values: ArrayLike<number>, length: number): void {
  const kept = new Float64Array(g.n);
  let k = 0;
  for (let i = 0; i < length && k < kept.length; i++) {
    const x = values[i];
    if (x > 0 && x < Infinity) kept[k++] = x;
  }
  g.sorted = kept.subarray(0, k).sort();
  g.addedSinceSnapshot = 0;
  g.maxSinceSnapshot = 0;
}

/**
 * A lower bound on the run median now: each value added since the snapshot can move the value at
 * a given rank down by at most one place (a removal only moves it up), so the snapshot's value m
 * places below the current middle rank bounds the median after m additions.
 */
export function medianLowerBound(g: LossGate): number {
  const m = g.addedSinceSnapshot;
  const rank = Math.floor((g.n - 1) / 2) - m;
  if (rank < 0 || rank >= g.sorted.length) return 0;
  return g.sorted[rank];
}

/** Whether a point since the snapshot could reach `ratio` × the run median (the extreme-spike rule). */
export function spikeMayFire(g: LossGate, ratio: number, slack = 1e-6): boolean {
  if (g.maxSinceSnapshot === 0) return false;
  return g.maxSinceSnapshot >= ratio * (1 - slack) * medianLowerBound(g);
}
