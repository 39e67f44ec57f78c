/** A scalar time series in columns: steps, wall times (0 when the writer gave none, as TensorBoard reads it) and values. */
export interface Series {
  readonly tag: string;
  readonly length: number;
  readonly steps: Float64Array;
  readonly wallTimes: Float64Array;
  readonly values: Float64Array;
}

/** A step regression within one tag: the data server drops the tag's points at or after `toStep`. */
export interface Restart {
  tag: string;
  fromStep: number;
  toStep: number;
  /** Points of this tag removed by the regression (TensorBoard drops them silently). */
  superseded: number;
  /** Of those, how many held NaN or ±Inf. */
  supersededNonFinite: number;
  file: string;
  offset: number;
}

/**
 * Growable columns for one tag. With `preempt` (TensorBoard's data-server rule) a point at step s
 * first drops the stored points with step ≥ s, so the series stays strictly increasing in step.
 */
export class SeriesBuilder {
  length = 0;
  steps: Float64Array;
  wallTimes: Float64Array;
  values: Float64Array;
  superseded = 0;
  nonFinite = 0;

  constructor(
    readonly tag: string,
    readonly preempt: boolean,
    capacity = 64,
  ) {
    this.steps = new Float64Array(capacity);
    this.wallTimes = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  /** Adds a point; returns the restart it caused (a step below the last one), if any. */
  push(step: number, wallTime: number, value: number, file: string, offset: number): Restart | undefined {
    let restart: Restart | undefined;
    const n = this.length;
    if (this.preempt && n > 0 && this.steps[n - 1] >= step) {
      const cut = firstAtOrAbove(this.steps, n, step);
      let nonFinite = 0;
      for (let k = cut; k < n; k++) if (!Number.isFinite(this.values[k])) nonFinite++;
      const removed = n - cut;
      this.superseded += removed;
      if (this.steps[n - 1] > step) {
        restart = { tag: this.tag, fromStep: this.steps[n - 1], toStep: step, superseded: removed, supersededNonFinite: nonFinite, file, offset };
      }
      this.length = cut;
    }
    if (this.length === this.steps.length) this.grow();
    const i = this.length++;
    this.steps[i] = step;
    this.wallTimes[i] = wallTime;
    this.values[i] = value;
    return restart;
  }

  private grow(): void {
    const cap = this.steps.length * 2;
    const s = new Float64Array(cap);
    s.set(this.steps);
    const w = new Float64Array(cap);
    w.set(this.wallTimes);
    const v = new Float64Array(cap);
    v.set(this.values);
    this.steps = s;
    this.wallTimes = w;
    this.values = v;
  }

  /** Trimmed to length (copies, so the builder can be dropped). */
  build(): Series {
    const n = this.length;
    return {
      tag: this.tag,
      length: n,
      steps: this.steps.slice(0, n),
      wallTimes: this.wallTimes.slice(0, n),
      values: this.values.slice(0, n),
    };
  }
}

function firstAtOrAbove(steps: Float64Array, n: number, step: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid] < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function seriesFromArrays(tag: string, steps: ArrayLike<number>, values: ArrayLike<number>, wallTimes?: ArrayLike<number>): Series {
  return {
    tag,
    length: steps.length,
    steps: Float64Array.from(steps),
    values: Float64Array.from(values),
    wallTimes: wallTimes ? Float64Array.from(wallTimes) : new Float64Array(steps.length).fill(NaN),
  };
}
