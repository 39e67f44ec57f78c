/**
 * The data a comparison page embeds (as JSON) and the SVG / Markdown renderers read. Built from runs
 * by compare-data.ts; everything here is plain JSON. Series are encoded compactly (compare-encode.ts):
 * all points while a series is short, equal-count bucket summaries (extremes kept) when it is long.
 */
import type { Finding, FindingKind, Severity } from '../../detect/finding.js';
import type { RunAxes } from './compare-axes.js';

export type XAxis = 'step' | 'samples' | 'epoch' | 'relative' | 'wall';
export const X_AXES: readonly XAxis[] = ['step', 'samples', 'epoch', 'relative', 'wall'];

/** The page's sections, in this order: smoothed and epoch losses, learning rates, per-step loss (when a smoothed one exists), the rest. */
export type ChartGroup = 'loss' | 'lr' | 'step-loss' | 'other';

/** A numeric column: arithmetic runs `[start, delta, count]…`, or little-endian Float32/Float64 in base64. */
export type Column = { r: [number, number, number][] } | { f32: string } | { f64: string };

/** What the page needs of a finding (the diagnosis report's findings have this shape too). */
export type CompareFinding = Pick<Finding, 'kind' | 'severity' | 'run' | 'tag' | 'step' | 'endStep' | 'message' | 'advice'> &
  Partial<Pick<Finding, 'rule' | 'key'>>;

/** A setting of the run's own config that `tblens lint` flagged (a `config` finding), for the table's ⚙ mark. */
export interface PageSettingFlag {
  rule: string;
  severity: Severity;
  /** The key as written in the config file (untrusted text). */
  key: string | null;
}

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
  /**
   * Peak of what moves the weights: DAdaptation/Prodigy's d·lr (`lr/d*lr…`) when logged (their lr is a
   * multiplier, often 1), else the logged lr; and its tag. Null when no lr was logged.
   */
  effectiveLr: number | null;
  effectiveLrTag: string | null;
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

/** A run on the page: its axes (batch, epoch length, clock: compare-axes.ts defines them once), name, colour and table data. */
export interface PageRun extends RunAxes {
  name: string;
  color: string;
  /** The trainer profile the run was read with (`OneTrainer`, `kohya sd-scripts`, …): the page names it when the runs' trainers differ. */
  trainer: string;
  /** Hyper-parameters a user may group runs by (text). */
  params: Record<string, string>;
  summary: SummaryRow;
  findings: PageFinding[];
  /** The run's config findings, worst first; empty when its settings were not flagged (or not read). */
  settings: PageSettingFlag[];
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
  /**
   * Whether the smoothing slider applies by default (the page has a per-chart toggle): not for learning
   * rates (a schedule is exact; smoothing lags it and lowers its peak) nor per-epoch tags (a point per epoch).
   */
  smooth: boolean;
  /** A chart tblens made from other tags (no tag of that name was logged): what it shows, for its caption. */
  derived?: string;
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

/** Runs of more than one trainer: the page's legend and table and the Markdown then name each run's trainer. */
export function mixedTrainers(runs: readonly Pick<PageRun, 'trainer'>[]): boolean {
  return new Set(runs.map((r) => r.trainer)).size > 1;
}
