import type { Series } from './series.js';
import type { Run } from './types.js';

/** A point of a series, for code that prefers objects to columns. */
export interface SeriesPoint {
  step: number;
  wallTime: number;
  value: number;
}

/** The scalar series of `tag` in `run`, or undefined when the run has no such scalar tag. */
export function getSeries(run: Run, tag: string): Series | undefined {
  return run.scalars.get(tag);
}

/** Scalar tags of a run, sorted. */
export function scalarTags(run: Run): string[] {
  return [...run.scalars.keys()];
}

/** The points of a series in order (allocates one object per point: use the columns for bulk work). */
export function* seriesPoints(series: Series): Generator<SeriesPoint> {
  for (let i = 0; i < series.length; i++) yield { step: series.steps[i], wallTime: series.wallTimes[i], value: series.values[i] };
}
