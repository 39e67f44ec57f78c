/**
 * The data a comparison page embeds (as JSON) and the SVG / Markdown renderers read. Built from runs
 * by compare-data.ts; everything here is plain JSON. Series are encoded compactly (compare-encode.ts):
 * all points while a series is short, equal-count bucket summaries (extremes kept) when it is long.
 */
import type { FindingKind, Severity } from '../detect/finding.js';

export type XAxis = 'step' | 'samples' | 'epoch' | 'relative' | 'wall';
export const X_AXES: readonly XAxis[] = ['step', 'samples', 'epoch', 'relative', 'wall'];

export type ChartGroup = 'loss' | 'lr' | 'other';

/** A numeric column: arithmetic runs `[start, delta, count]…`, or little-endian Float32/Float64 in base64. */
export type Column = { r: [number, number, number][] } | { f32: string } | { f64: string };

export interface PageFinding {
  kind: FindingKind | string;
  severity: Severity;
  tag: string | null;
  /** On the tag's own axis (epoch number for epoch-indexed tags). */
  step: number | null;
  endStep: number | null;
  message: string;
  advice: string;
}

export interface SummaryRow {
  optimizer: string | null;
  optimizerArgs: string | null;
  /** Learning rate(s) as text: from metadata, or the logged peak when there is none. */
  lr: string | null;
  batch: number | null;
  steps: number | null;
  epochs: number | null;
  dim: number | null;
  alpha: number | null;
  durationSec: number | null;
  /** The loss tag the two loss columns are computed on, at `smoothing`, over every point. */
  lossTag: string | null;
  finalLoss: number | null;
  minLoss: number | null;
  minLossStep: number | null;
  /** NaN / ±Inf points over every scalar tag of the run. */
  nonFinite: number;
  verdict: string | null;
  /** Findings by severity, worst first, for the table. */
  errors: number;
  warnings: number;
  notices: number;
}

export interface PageRun {
  name: string;
  color: string;
  /** Samples per optimizer step, and where it came from; null when unknown. */
  batch: number | null;
  batchSource: 'option' | 'metadata' | 'hparams' | null;
  /** Optimizer steps per epoch, and where it came from. */
  stepsPerEpoch: number | null;
  stepsPerEpochSource: 'metadata' | 'epoch-tag' | null;
  /** Unix seconds of the run's first point, null when the writer gave no wall times. */
  start: number | null;
  /** Step → seconds since `start`, as knots `[step, seconds, step, seconds, …]` (linear between them). */
  clock: number[];
  /** Hyper-parameters a user may group runs by (text). */
  params: Record<string, string>;
  summary: SummaryRow;
  findings: PageFinding[];
}

export interface PageSeries {
  /** Index into `runs`. */
  run: number;
  /** Points in the full series. */
  n: number;
  nonFinite: number;
  /** Every value equals the first (TensorBoard then leaves it unsmoothed). */
  constant: boolean;
  /** Smoothed at the page's default weight over every point: last and min finite values (for tables and checks). */
  kind: 'points' | 'buckets';
  /** points: step of each point; buckets: step of each bucket's last point. */
  steps: Column;
  /** points: the values. */
  values?: Column;
  /** buckets: finite points, mean of finite values, extremes in order (stepA, valueA, stepB, valueB). */
  finite?: Column;
  mean?: Column;
  stepA?: Column;
  valueA?: Column;
  stepB?: Column;
  valueB?: Column;
  /** buckets: `[bucket, kind (0 NaN, 1 +Inf, 2 −Inf), count, first step]` for buckets holding non-finite points. */
  nonFiniteBuckets?: [number, number, number, number][];
  /** Epoch-indexed tags: each point's seconds since the run's start (they are not on the step clock). */
  seconds?: Column;
}

export interface PageChart {
  tag: string;
  group: ChartGroup;
  /** The tag's step is the epoch number (kohya `loss/epoch`). */
  epochIndexed: boolean;
  /** Log scale by default (learning rates spanning decades). */
  log: boolean;
  series: PageSeries[];
}

export interface PageData {
  version: 1;
  title: string;
  generator: string;
  options: { x: XAxis; smoothing: number; ignoreOutliers: boolean };
  runs: PageRun[];
  charts: PageChart[];
  /** Things a reader must know (unknown batch sizes, tags left out, …). */
  notes: string[];
}
