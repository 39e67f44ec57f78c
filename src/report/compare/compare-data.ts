import { compareFindings, type Finding } from '../../detect/finding.js';
import { lrView } from '../../detect/lr-view.js';
import type { RunIdentity } from '../../identity/identity.js';
import type { Series } from '../../runs/series.js';
import { PROFILES } from '../../runs/profiles/profiles.js';
import { lossTagOrder, runRoles } from '../../runs/profiles/role-tags.js';
import type { Run } from '../../runs/types.js';
import { isEpochIndexed, runAxes } from './compare-axes.js';
import type { ChartSeries } from '../chart/series.js';
import { encodeColumn } from './compare-encode.js';
import {
  mixedTrainers,
  type ChartGroup,
  type CompareFinding,
  type PageChart,
  type PageData,
  type PageFinding,
  type PageRun,
  type PageSeries,
  type PageSettingFlag,
  type XAxis,
} from './compare-model.js';
import { formatNumber, summaryRow } from './compare-summary.js';
import { bucketSummary } from './downsample.js';

// Defined beside the page model (compare-summary needs it too, and importing it from here made a cycle).
export type { CompareFinding } from './compare-model.js';

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
  /** Charts drawn at most (default MAX_CHARTS); the others are named in a note. */
  maxCharts?: number;
}

/**
 * A page with thousands of charts is tens of megabytes that a browser never finishes drawing; the
 * first 60 (loss first, then learning rates, then the rest by name) cover any training run's own tags.
 */
export const MAX_CHARTS = 60;

/** category10, then darker companions: distinct on white, stable by run order. */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#ad494a',
  '#637939',
  '#8c6d31',
  '#7b4173',
  '#3182bd',
  '#e6550d',
  '#31a354',
  '#756bb1',
  '#636363',
];

export function chartGroup(tag: string): ChartGroup {
  if (/loss/i.test(tag)) return 'loss';
  if (/^lr(\/|$)|learning[_ ]?rate/i.test(tag)) return 'lr';
  return 'other';
}

const LOSS_FIRST = lossTagOrder(PROFILES);
const GROUP_ORDER: Record<ChartGroup, number> = { loss: 0, lr: 1, 'step-loss': 2, other: 3 };
const STEP_LOSS = new Set(PROFILES.flatMap((p) => p.roles.loss.filter((t): t is string => typeof t === 'string')));
const SMOOTHED_LOSS = new Set(PROFILES.flatMap((p) => p.roles.lossSmoothed.filter((t): t is string => typeof t === 'string')));

/**
 * A chart's section given every tag charted: a writer's per-step loss (kohya `loss/current`) is noise
 * next to its own running mean, so when that mean is logged too the per-step loss comes after the
 * learning rates; alone, it is the loss.
 */
function groupsFor(tags: Set<string>): (tag: string) => ChartGroup {
  const smoothed = [...tags].some((t) => SMOOTHED_LOSS.has(t));
  return (tag) => {
    const g = chartGroup(tag);
    return g === 'loss' && smoothed && STEP_LOSS.has(tag) ? 'step-loss' : g;
  };
}

function compareTags(groupOf: (tag: string) => ChartGroup, a: string, b: string): number {
  const ga = GROUP_ORDER[groupOf(a)] - GROUP_ORDER[groupOf(b)];
  if (ga !== 0) return ga;
  const ia = LOSS_FIRST.indexOf(a);
  const ib = LOSS_FIRST.indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

function kindCode(v: number): number {
  return v === Infinity ? 1 : v === -Infinity ? 2 : 0;
}

/** A series as the charts draw it (numbers, no encoding): every point, or bucket summaries when long. */
function chartSeries(runIndex: number, s: Series, epochIndexed: boolean, start: number | null, maxPoints: number, buckets: number): ChartSeries {
  let nonFinite = 0;
  for (let i = 0; i < s.length; i++) if (!Number.isFinite(s.values[i])) nonFinite++;
  let constant = s.length === 0 || s.values[0] === s.values[0];
  for (let i = 1; i < s.length && constant; i++) if (s.values[i] !== s.values[0]) constant = false;
  const base = { run: runIndex, n: s.length, nonFinite, constant };
  if (s.length <= maxPoints) {
    // Per point, so only for series embedded whole; a summarised one goes on the clock instead.
    const seconds =
      epochIndexed && start !== null ? { seconds: Float64Array.from(s.wallTimes.subarray(0, s.length), (t) => Math.round((t - start) * 1000) / 1000) } : {};
    return { ...base, steps: s.steps.subarray(0, s.length), values: Float64Array.from(s.values.subarray(0, s.length)), ...seconds };
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
    steps: b.lastStep,
    buckets: {
      finite: Float64Array.from(b.finite),
      mean: b.mean,
      stepA: b.stepA,
      valueA: b.valueA,
      stepB: b.stepB,
      valueB: b.valueB,
      nonFinite: nonFiniteBuckets,
    },
  };
}

/** The page's compact form of a series (compare-encode.ts): steps and counts exact, displayed values as float32 where they fit. */
function encodeSeries(s: ChartSeries): PageSeries {
  const base = { run: s.run, n: s.n, nonFinite: s.nonFinite, constant: s.constant };
  const b = s.buckets;
  if (!b)
    return {
      ...base,
      kind: 'points',
      steps: encodeColumn(s.steps, 'f64'),
      values: encodeColumn(s.values!, 'f32'),
      ...(s.seconds ? { seconds: encodeColumn(s.seconds, 'f64') } : {}),
    };
  return {
    ...base,
    kind: 'buckets',
    steps: encodeColumn(s.steps, 'f64'),
    finite: encodeColumn(b.finite, 'f64'),
    mean: encodeColumn(b.mean, 'f32'),
    stepA: encodeColumn(b.stepA, 'f64'),
    valueA: encodeColumn(b.valueA, 'f32'),
    stepB: encodeColumn(b.stepB, 'f64'),
    valueB: encodeColumn(b.valueB, 'f32'),
    nonFiniteBuckets: b.nonFinite,
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

/** The run's flagged settings (config findings), worst first, for the ⚙ mark in the table. */
function settingFlags(findings: CompareFinding[] | undefined): PageSettingFlag[] {
  return (findings ?? [])
    .filter((f) => f.kind === 'config')
    .sort((a, b) => compareFindings(a as Finding, b as Finding))
    .map((f) => ({ rule: f.rule ?? 'config', severity: f.severity, key: f.key ?? null }));
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

/** What a derived chart (one not named by a logged tag) is built from. */
interface DerivedInputs {
  inputs: CompareRunInput[];
  runs: PageRun[];
  /** The logged tags: a derived chart never hides a tag of its own name. */
  tags: Set<string>;
  options: CompareOptions;
  maxPoints: number;
  buckets: number;
}

export const EFFECTIVE_LR_TAG = 'effective lr';

/**
 * DAdaptation/Prodigy log lr = 1 (a multiplier) and their step size as `lr/d*lr…`: next to AdamW's 1e-4
 * neither lr chart compares them. This chart puts each run's effective lr (d·lr when logged, else its
 * lr; the group that trains most, see lrView) on one log axis. Only when some run logged d·lr (else
 * the lr charts already show it) and no tag of that name exists.
 */
function effectiveLrChart({ inputs, runs, tags, options, maxPoints, buckets }: DerivedInputs): ModelChart | null {
  if (tags.has(EFFECTIVE_LR_TAG) || (options.tagFilter && !options.tagFilter.test(EFFECTIVE_LR_TAG))) return null;
  const views = inputs.map((input) => lrView(input.run));
  if (!views.some((v) => v.dlr.length > 0)) return null;
  const present = views.flatMap((v, i) => (v.dominant && v.dominant.series.length > 0 ? [{ i, s: v.dominant.series }] : []));
  if (present.length === 0) return null;
  const series = present.map((e) => chartSeries(e.i, e.s, false, runs[e.i].start, maxPoints, buckets));
  const log = present.every((e) => e.s.values.subarray(0, e.s.length).every((v) => !Number.isFinite(v) || v >= 0));
  return {
    tag: EFFECTIVE_LR_TAG,
    group: 'lr',
    epochIndexed: false,
    log,
    smooth: false,
    derived: "d·lr for DAdaptation/Prodigy, the logged lr for the others: every optimizer's step size on one scale",
    series,
  };
}

export const TRAINING_LOSS_TAG = 'training loss';

/**
 * Runs of different trainers log their loss under different tags (kohya `loss/current`, OneTrainer
 * `loss/train_step`, ai-toolkit `loss/loss`, …), so no tag chart holds them together. This chart puts
 * each run's per-step training loss (its profile's loss role, the tag its verdict is judged on) on one
 * chart; on the samples axis their steps line up whatever each trainer counts. Only when the runs come
 * from more than one trainer and their loss tags differ, and no tag of that name exists.
 */
function trainingLossChart({ inputs, runs, tags, options, maxPoints, buckets }: DerivedInputs): ModelChart | null {
  if (!mixedTrainers(runs) || tags.has(TRAINING_LOSS_TAG) || (options.tagFilter && !options.tagFilter.test(TRAINING_LOSS_TAG))) return null;
  const present = inputs.flatMap((input, i) => {
    const tag = runRoles(input.run).roles.loss;
    const s = tag === null ? undefined : input.run.scalars.get(tag);
    return s && s.length > 0 ? [{ i, tag: tag!, s }] : [];
  });
  if (present.length < 2 || new Set(present.map((e) => e.tag)).size < 2) return null;
  const series = present.map((e) => chartSeries(e.i, e.s, false, runs[e.i].start, maxPoints, buckets));
  const named = [...new Set(present.map((e) => `${runs[e.i].trainer} ${e.tag}`))].join(', ');
  return {
    tag: TRAINING_LOSS_TAG,
    group: 'loss',
    epochIndexed: false,
    log: wantsLog(
      'loss',
      present.map((e) => e.s),
    ),
    smooth: true,
    derived: `each run's per-step training loss as its trainer logs it (${named}); use the samples axis to line up their step counts`,
    series,
  };
}

/** A chart with its series as numbers: what the SVG renderer draws and the page's data is encoded from. */
export type ModelChart = Omit<PageChart, 'series'> & { series: ChartSeries[] };
export type CompareModel = Omit<PageData, 'charts'> & { charts: ModelChart[] };

/** The page's embedded data: the model with every series encoded compactly. */
export function pageDataOf(model: CompareModel): PageData {
  return { ...model, charts: model.charts.map((c) => ({ ...c, series: c.series.map(encodeSeries) })) };
}

/** Everything the page embeds (encoded), from runs and what is known about them. */
export function buildPageData(inputs: CompareRunInput[], options: CompareOptions): PageData {
  return pageDataOf(buildCompareModel(inputs, options));
}

/** Everything the page, the SVG and the Markdown show, from runs and what is known about them. */
export function buildCompareModel(inputs: CompareRunInput[], options: CompareOptions): CompareModel {
  const maxPoints = options.maxPoints ?? 4096;
  const buckets = options.buckets ?? 2048;
  const notes: string[] = [];
  const runs: PageRun[] = inputs.map((input, i) => {
    const axes = runAxes(input.run, input.identity, input.batch);
    const findings = input.findings ? [...input.findings].sort((a, b) => compareFindings(a as Finding, b as Finding)).map(pageFinding) : readerFacts(input.run);
    const trainer = runRoles(input.run).profile.name;
    return {
      name: input.name,
      color: PALETTE[i % PALETTE.length],
      trainer,
      batch: axes.batch,
      batchSource: axes.batchSource,
      stepsPerEpoch: axes.stepsPerEpoch,
      stepsPerEpochSource: axes.stepsPerEpochSource,
      start: axes.start,
      clock: axes.clock,
      params: { trainer, ...params(input, axes.batch) },
      summary: summaryRow(input.run, input.identity, axes, options.smoothing, input.findings, input.verdict ?? null),
      findings,
      settings: settingFlags(input.findings),
    };
  });

  const tags = new Set<string>();
  for (const input of inputs) for (const [tag, s] of input.run.scalars) if (s.length > 0 && (!options.tagFilter || options.tagFilter.test(tag))) tags.add(tag);
  let summarised = 0;
  const maxCharts = Math.max(0, Math.floor(options.maxCharts ?? MAX_CHARTS));
  const groupOf = groupsFor(tags);
  const sorted = [...tags].sort((a, b) => compareTags(groupOf, a, b));
  if (sorted.length > maxCharts) {
    const left = sorted.slice(maxCharts);
    const named = left
      .slice(0, 3)
      .map((t) => (t.length > 60 ? `${t.slice(0, 59)}…` : t))
      .join(', ');
    notes.push(
      `${sorted.length} tags, only the first ${maxCharts} are charted (loss, then learning rates, then by name); ${left.length} left out (${named}${left.length > 3 ? ', …' : ''}). ` +
        "Choose the charts with --tags REGEX (for example --tags '^loss/'), or raise the limit with --max-charts N.",
    );
  }
  const charts: ModelChart[] = sorted.slice(0, maxCharts).map((tag) => {
    const group = groupOf(tag);
    const present = inputs.map((input, i) => ({ i, s: input.run.scalars.get(tag) })).filter((e): e is { i: number; s: Series } => !!e.s && e.s.length > 0);
    const epochIndexed = present.every((e) => isEpochIndexed(tag, e.s));
    const series = present.map((e) => chartSeries(e.i, e.s, epochIndexed, runs[e.i].start, maxPoints, buckets));
    summarised += series.filter((s) => s.buckets).length;
    return {
      tag,
      group,
      epochIndexed,
      log: wantsLog(
        group,
        present.map((e) => e.s),
      ),
      smooth: group !== 'lr' && !epochIndexed,
      series,
    };
  });
  const derivedInputs: DerivedInputs = { inputs, runs, tags, options, maxPoints, buckets };
  const training = trainingLossChart(derivedInputs);
  if (training && charts.length < maxCharts) {
    summarised += training.series.filter((s) => s.buckets).length;
    charts.unshift(training);
  }
  const effective = effectiveLrChart(derivedInputs);
  if (effective && charts.length < maxCharts) {
    summarised += effective.series.filter((s) => s.buckets).length;
    const at = charts.findIndex((c) => c.group !== 'loss');
    charts.splice(at < 0 ? charts.length : at, 0, effective);
  }

  const unknownBatch = runs.filter((r) => r.batch === null && r.summary.steps !== null).map((r) => r.name);
  if (unknownBatch.length > 0)
    notes.push(
      `Batch size unknown for ${someRuns(unknownBatch, runs.length)}: the samples axis counts them as batch 1. Pass --weights DIR (the LoRA files) or --batch RUN=N.`,
    );
  const noClock = runs.filter((r) => r.start === null && r.summary.steps !== null).map((r) => r.name);
  if (noClock.length > 0) notes.push(`No wall times in ${someRuns(noClock, runs.length)}: left out of the relative and wall-time axes.`);
  if (summarised > 0)
    notes.push(
      `${summarised} series longer than ${maxPoints} points are drawn from ${buckets} buckets each (every bucket's lowest and highest point and every NaN/Inf kept); their smoothing uses bucket means, exact only where one bucket is one point. Table statistics use every point.`,
    );
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
