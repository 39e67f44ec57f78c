import { compareFindings, type Finding } from '../detect/finding.js';
import type { RunIdentity } from '../runs/identity.js';
import type { Series } from '../runs/series.js';
import type { Run } from '../runs/types.js';
import { isEpochIndexed, runAxes } from './compare-axes.js';
import { encodeColumn } from './compare-encode.js';
import type { ChartGroup, PageChart, PageData, PageFinding, PageRun, PageSeries, XAxis } from './compare-model.js';
import { formatNumber, summaryRow } from './compare-summary.js';
import { bucketSummary } from './downsample.js';

/** What the page needs of a finding (the diagnosis report's findings have this shape too). */
export type CompareFinding = Pick<Finding, 'kind' | 'severity' | 'run' | 'tag' | 'step' | 'endStep' | 'message' | 'advice'>;

/** One run to compare: its data plus whatever is known about it (metadata, diagnosis). */
export interface CompareRunInput {
  name: string;
  run: Run;
  identity?: RunIdentity;
  /** From the diagnosis; when absent the page marks only what the reader saw (restarts). */
  findings?: CompareFinding[];
  verdict?: string | null;
  /** `--batch RUN=N`: samples per optimizer step, overriding metadata. */
  batch?: number;
}

export interface CompareOptions {
  title: string;
  x: XAxis;
  smoothing: number;
  tagFilter?: RegExp;
  generator: string;
  /** Series with more points are embedded as bucket summaries (default 4096). */
  maxPoints?: number;
  /** Buckets per summarised series (default 2048, about two per pixel column of a wide chart). */
  buckets?: number;
}

/** category10, then darker companions: distinct on white, stable by run order. */
export const PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#393b79', '#ad494a', '#637939', '#8c6d31', '#7b4173', '#3182bd', '#e6550d', '#31a354', '#756bb1', '#636363',
];

export function chartGroup(tag: string): ChartGroup {
  if (/loss/i.test(tag)) return 'loss';
  if (/^lr(\/|$)|learning[_ ]?rate/i.test(tag)) return 'lr';
  return 'other';
}

const LOSS_FIRST = ['loss/average', 'loss/current', 'loss/epoch', 'loss/epoch_average'];
const GROUP_ORDER: Record<ChartGroup, number> = { loss: 0, lr: 1, other: 2 };

function compareTags(a: string, b: string): number {
  const ga = GROUP_ORDER[chartGroup(a)] - GROUP_ORDER[chartGroup(b)];
  if (ga !== 0) return ga;
  const ia = LOSS_FIRST.indexOf(a);
  const ib = LOSS_FIRST.indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

function kindCode(v: number): number {
  return v === Infinity ? 1 : v === -Infinity ? 2 : 0;
}

function encodeSeries(runIndex: number, s: Series, epochIndexed: boolean, start: number | null, maxPoints: number, buckets: number): PageSeries {
  let nonFinite = 0;
  for (let i = 0; i < s.length; i++) if (!Number.isFinite(s.values[i])) nonFinite++;
  let constant = s.length === 0 || s.values[0] === s.values[0];
  for (let i = 1; i < s.length && constant; i++) if (s.values[i] !== s.values[0]) constant = false;
  const base = { run: runIndex, n: s.length, nonFinite, constant };
  const seconds = epochIndexed && start !== null ? { seconds: encodeColumn(Float64Array.from(s.wallTimes, (t) => Math.round((t - start) * 1000) / 1000), 'f64') } : {};
  if (s.length <= maxPoints) {
    return { ...base, kind: 'points', steps: encodeColumn(s.steps, 'f64'), values: encodeColumn(s.values, 'f32'), ...seconds };
  }
  const b = bucketSummary(s.steps, s.values, buckets);
  const nonFiniteBuckets: [number, number, number, number][] = [];
  const n = s.length;
  const k = b.count.length;
  for (let j = 0; j < k; j++) {
    if (b.finite[j] === b.count[j]) continue;
    const counts = new Map<number, [number, number]>();
    for (let i = Math.floor((j * n) / k); i < Math.floor(((j + 1) * n) / k); i++) {
      const v = s.values[i];
      if (Number.isFinite(v)) continue;
      const c = counts.get(kindCode(v));
      if (c) c[0]++;
      else counts.set(kindCode(v), [1, s.steps[i]]);
    }
    for (const [code, [count, step]] of counts) nonFiniteBuckets.push([j, code, count, step]);
  }
  return {
    ...base,
    kind: 'buckets',
    steps: encodeColumn(b.lastStep, 'f64'),
    finite: encodeColumn(b.finite, 'f64'),
    mean: encodeColumn(b.mean, 'f32'),
    stepA: encodeColumn(b.stepA, 'f64'),
    valueA: encodeColumn(b.valueA, 'f32'),
    stepB: encodeColumn(b.stepB, 'f64'),
    valueB: encodeColumn(b.valueB, 'f32'),
    nonFiniteBuckets,
  };
}

/** Learning rates that span decades read best on a log axis (the reference chart's lr/unet). */
function wantsLog(group: ChartGroup, series: Series[]): boolean {
  if (group !== 'lr') return false;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.length; i++) {
      const v = s.values[i];
      if (!Number.isFinite(v)) continue;
      if (v < 0) return false;
      if (v > 0 && v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return hi > 0 && hi / lo >= 100;
}

function pageFinding(f: CompareFinding): PageFinding {
  return { kind: f.kind, severity: f.severity, tag: f.tag, step: f.step, endStep: f.endStep, message: f.message, advice: f.advice };
}

/** Without a diagnosis the reader's own facts still belong on the curves: where a tag's step went back. */
function readerFacts(run: Run): PageFinding[] {
  return run.restarts.map((r) => ({
    kind: 'restart',
    severity: 'notice',
    tag: r.tag,
    step: r.toStep,
    endStep: r.fromStep,
    message: `${r.tag}: step went back from ${r.fromStep} to ${r.toStep} (${r.superseded} earlier points superseded, as TensorBoard does)`,
    advice: 'A resumed or restarted run: the later values are shown.',
  }));
}

function params(input: CompareRunInput, batch: number | null): Record<string, string> {
  const id = input.identity;
  const out: Record<string, string> = {};
  const put = (k: string, v: unknown) => {
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = formatNumber(v);
    else if (typeof v === 'string' && v !== '') out[k] = v;
    else if (typeof v === 'boolean') out[k] = String(v);
  };
  put('optimizer', id?.optimizer?.name);
  put('lr', id?.learningRate ?? id?.unetLr);
  put('batch', batch);
  put('dim', id?.networkDim);
  put('alpha', id?.networkAlpha);
  put('scheduler', id?.lrScheduler);
  for (const [k, v] of Object.entries(input.run.hparams)) if (!(k in out)) put(k, v);
  return out;
}

/** `a, b, c and 7 more`, or `all 12 runs`: a note stays a line or two however many runs there are. */
function someRuns(names: string[], total: number): string {
  if (names.length === total && total > 3) return `all ${total} runs`;
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/** Everything the page (and the SVG / Markdown renderers) show, from runs and what is known about them. */
export function buildPageData(inputs: CompareRunInput[], options: CompareOptions): PageData {
  const maxPoints = options.maxPoints ?? 4096;
  const buckets = options.buckets ?? 2048;
  const notes: string[] = [];
  const runs: PageRun[] = inputs.map((input, i) => {
    const axes = runAxes(input.run, input.identity, input.batch);
    const findings = input.findings ? [...input.findings].sort((a, b) => compareFindings(a as Finding, b as Finding)).map(pageFinding) : readerFacts(input.run);
    return {
      name: input.name,
      color: PALETTE[i % PALETTE.length],
      batch: axes.batch,
      batchSource: axes.batchSource,
      stepsPerEpoch: axes.stepsPerEpoch,
      stepsPerEpochSource: axes.stepsPerEpochSource,
      start: axes.start,
      clock: axes.clock,
      params: params(input, axes.batch),
      summary: summaryRow(input.run, input.identity, axes, options.smoothing, input.findings, input.verdict ?? null),
      findings,
    };
  });

  const tags = new Set<string>();
  for (const input of inputs) for (const [tag, s] of input.run.scalars) if (s.length > 0 && (!options.tagFilter || options.tagFilter.test(tag))) tags.add(tag);
  let summarised = 0;
  const charts: PageChart[] = [...tags].sort(compareTags).map((tag) => {
    const group = chartGroup(tag);
    const present = inputs.map((input, i) => ({ i, s: input.run.scalars.get(tag) })).filter((e): e is { i: number; s: Series } => !!e.s && e.s.length > 0);
    const epochIndexed = present.every((e) => isEpochIndexed(tag, e.s));
    const series = present.map((e) => encodeSeries(e.i, e.s, epochIndexed, runs[e.i].start, maxPoints, buckets));
    summarised += series.filter((s) => s.kind === 'buckets').length;
    return { tag, group, epochIndexed, log: wantsLog(group, present.map((e) => e.s)), series };
  });

  const unknownBatch = runs.filter((r) => r.batch === null && r.summary.steps !== null).map((r) => r.name);
  if (unknownBatch.length > 0) notes.push(`Batch size unknown for ${someRuns(unknownBatch, runs.length)}: the samples axis counts them as batch 1. Pass --weights DIR (the LoRA files) or --batch RUN=N.`);
  const noClock = runs.filter((r) => r.start === null && r.summary.steps !== null).map((r) => r.name);
  if (noClock.length > 0) notes.push(`No wall times in ${someRuns(noClock, runs.length)}: left out of the relative and wall-time axes.`);
  if (summarised > 0) notes.push(`${summarised} series longer than ${maxPoints} points are drawn from ${buckets} buckets each (every bucket's lowest and highest point and every NaN/Inf kept); their smoothing uses bucket means, exact only where one bucket is one point. Table statistics use every point.`);
  const empty = runs.filter((r) => r.summary.steps === null).map((r) => r.name);
  if (empty.length > 0) notes.push(`No scalar data in ${someRuns(empty, runs.length)}.`);
  return {
    version: 1,
    title: options.title,
    generator: options.generator,
    options: { x: options.x, smoothing: options.smoothing, ignoreOutliers: true },
    runs,
    charts,
    notes,
  };
}
