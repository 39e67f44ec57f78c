/** A value column: 4 bytes a point where the source was float32, 8 where any value needed a double. */
export type ValueColumn = Float32Array | Float64Array;

/** A scalar time series in columns: steps, wall times (0 when the writer gave none, as TensorBoard reads it) and values. */
export interface Series {
  readonly tag: string;
  readonly length: number;
  readonly steps: Float64Array;
  readonly wallTimes: Float64Array;
  /** Float32 while every value is a float32 (simple_value always is), widened exactly on read; Float64 once a double arrives. */
  readonly values: ValueColumn;
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
 * Where the columns of short series are carved from. Every typed array with its own buffer costs
 * ~235 bytes of objects besides its data, so a log with 10⁵ one-point tags spent most of its memory
 * on them; columns of up to SLAB_COLUMN points share one buffer instead (~100 bytes each). One slab
 * per run assembly, so a worker transferring one run's buffers never detaches another's columns.
 */
export interface ColumnSlab {
  buffer: ArrayBuffer;
  used: number;
}

const SLAB_BYTES = 1 << 16;
export const SLAB_COLUMN = 4;

export function newColumnSlab(): ColumnSlab {
  return { buffer: new ArrayBuffer(0), used: 0 };
}

function column(capacity: number, slab: ColumnSlab | undefined): Float64Array {
  if (!slab || capacity > SLAB_COLUMN) return new Float64Array(capacity);
  const at = carve(slab, capacity * 8);
  return new Float64Array(slab.buffer, at, capacity);
}

/** A float32 value column; from the slab, its bytes rounded up to 8 so the next float64 column stays aligned. */
function column32(capacity: number, slab: ColumnSlab | undefined): Float32Array {
  if (!slab || capacity > SLAB_COLUMN) return new Float32Array(capacity);
  const at = carve(slab, (capacity * 4 + 7) & ~7);
  return new Float32Array(slab.buffer, at, capacity);
}

/** Reserves `bytes` of the slab (a new slab when they do not fit); returns their offset. */
function carve(slab: ColumnSlab, bytes: number): number {
  if (slab.used + bytes > slab.buffer.byteLength) {
    slab.buffer = new ArrayBuffer(SLAB_BYTES);
    slab.used = 0;
  }
  const at = slab.used;
  slab.used += bytes;
  return at;
}

/**
 * Capacity after `cap` is full: doubling while small (cheap, few copies), then ×1.5, so a long
 * column ends at most a third unused instead of half (the 500 MB log's 2.5 M-point tags sat in
 * 4.2 M-point columns: 1.7× their points).
 */
function grown(cap: number): number {
  return cap < 1 << 16 ? cap * 2 : Math.ceil(cap * 1.5);
}

/** Float32 holds this value exactly (NaN of any payload reads back as NaN: the value compared). */
function isFloat32(x: number): boolean {
  return Math.fround(x) === x || x !== x;
}

/**
 * Growable columns for one tag. With `preempt` (TensorBoard's data-server rule) a point at step s
 * first drops the stored points with step ≥ s, so the series stays strictly increasing in step.
 */
export class SeriesBuilder {
  length = 0;
  steps: Float64Array;
  wallTimes: Float64Array;
  values: ValueColumn;
  superseded = 0;
  nonFinite = 0;

  constructor(
    readonly tag: string,
    readonly preempt: boolean,
    // One point: a log may hold 10⁵–10⁶ tags of a point or two each, and a full column is handed
    // out without a view (see seriesView). Doubling makes the growth of long series cost nothing.
    capacity = 1,
    private readonly slab?: ColumnSlab,
  ) {
    this.steps = column(capacity, slab);
    this.wallTimes = column(capacity, slab);
    this.values = column32(capacity, slab);
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
    if (this.values instanceof Float32Array && !isFloat32(value)) this.widen();
    const i = this.length++;
    this.steps[i] = step;
    this.wallTimes[i] = wallTime;
    this.values[i] = value;
    return restart;
  }

  private grow(): void {
    const cap = grown(this.steps.length);
    const s = column(cap, this.slab);
    s.set(this.steps);
    const w = column(cap, this.slab);
    w.set(this.wallTimes);
    const v = this.values instanceof Float32Array ? column32(cap, this.slab) : column(cap, this.slab);
    v.set(this.values);
    this.steps = s;
    this.wallTimes = w;
    this.values = v;
  }

  /** A double arrived: the values so far are widened exactly, and the column stays Float64. */
  private widen(): void {
    const v = column(this.steps.length, this.slab);
    v.set(this.values);
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
