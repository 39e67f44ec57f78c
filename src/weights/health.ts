// The health counts of a tensor and the arithmetic on them, apart from the scanners that fill them
// (the 16-bit scanner and the dispatcher both need the type; one file each would import the other).

/**
 * Health of one tensor, counted on raw bit patterns: a fp16/bf16 NaN or Inf is an exponent of all
 * ones, tested before any widening so no pattern is lost. Finite statistics skip NaN/±Inf.
 */
export interface TensorHealth {
  elements: number;
  nan: number;
  posInf: number;
  negInf: number;
  /** Exact zeros (+0 and -0). */
  zeros: number;
  /** Finite elements; min/max/sums are over these. */
  finite: number;
  min: number;
  max: number;
  sumAbs: number;
  sumSquares: number;
}

export function newHealth(): TensorHealth {
  return { elements: 0, nan: 0, posInf: 0, negInf: 0, zeros: 0, finite: 0, min: Infinity, max: -Infinity, sumAbs: 0, sumSquares: 0 };
}

export function meanAbs(h: TensorHealth): number {
  return h.finite > 0 ? h.sumAbs / h.finite : NaN;
}

export function rms(h: TensorHealth): number {
  return h.finite > 0 ? Math.sqrt(h.sumSquares / h.finite) : NaN;
}

export function nonFinite(h: TensorHealth): number {
  return h.nan + h.posInf + h.negInf;
}

/** Folds `b` into `a` (block and file totals). */
export function addHealth(a: TensorHealth, b: TensorHealth): void {
  a.elements += b.elements;
  a.nan += b.nan;
  a.posInf += b.posInf;
  a.negInf += b.negInf;
  a.zeros += b.zeros;
  a.finite += b.finite;
  if (b.min < a.min) a.min = b.min;
  if (b.max > a.max) a.max = b.max;
  a.sumAbs += b.sumAbs;
  a.sumSquares += b.sumSquares;
}
