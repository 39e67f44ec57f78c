/**
 * The little of a run that recognising its writer needs, so a loaded Run, a followed (live) run and a
 * bare list of tag names can all be asked. `length` is the number of points; `steps`, when given,
 * lets a logging interval count as evidence.
 */
export interface SeriesLike {
  readonly length: number;
  readonly steps?: ArrayLike<number>;
}

export interface RunShape {
  name?: string;
  dir?: string;
  files?: readonly { path: string }[];
  scalars: ReadonlyMap<string, SeriesLike>;
  sideRuns?: readonly string[];
  hparams?: Readonly<Record<string, unknown>>;
}

/** A run shape from tag names alone (each taken as holding points): for callers that only have names. */
export function shapeFromTags(tags: Iterable<string>): RunShape {
  const scalars = new Map<string, SeriesLike>();
  for (const t of tags) scalars.set(t, { length: 1 });
  return { scalars };
}

/** Tags holding at least one point, sorted. */
export function presentTags(run: RunShape): string[] {
  const out: string[] = [];
  for (const [tag, s] of run.scalars) if (s.length > 0) out.push(tag);
  return out.sort();
}
