/** A chart's series decoded once in the page, with its raw and smoothed lines cached per smoothing weight. */
import { decodeSeries, nonFiniteMarkers, rawLine, smoothedLine, type ChartSeries, type Line, type Marker } from '../chart/series.js';
import type { PageSeries } from '../compare/compare-model.js';

export interface Prepared {
  s: ChartSeries;
  raw?: Line;
  smoothed: Map<number, Line>;
  markers: Map<number, Marker[]>;
}

export function prepare(s: PageSeries): Prepared {
  return { s: decodeSeries(s), smoothed: new Map(), markers: new Map() };
}

export function raw(p: Prepared): Line {
  p.raw ??= rawLine(p.s);
  return p.raw;
}

/** A slider drag visits many weights: keep a few, not all. */
function remember<T>(cache: Map<number, T>, w: number, make: () => T): T {
  const hit = cache.get(w);
  if (hit) return hit;
  const value = make();
  if (cache.size > 8) cache.clear();
  cache.set(w, value);
  return value;
}

export function smoothed(p: Prepared, w: number): Line {
  return remember(p.smoothed, w, () => smoothedLine(p.s, w));
}

export function markers(p: Prepared, w: number): Marker[] {
  return remember(p.markers, w, () => nonFiniteMarkers(p.s, smoothed(p, w).values));
}
