import type { Severity } from '../../detect/finding.js';
import { paint, type Paint } from '../color.js';
import type { DiagnosisReport, ReportFinding, ReportRun } from '../../analyze/diagnosis-report.js';
import { termText } from '../escape.js';
import { configText, countsText, findingFile, fmtEvidence, fmtNum, identityParts, plural, reportCounts, stepText, verdict } from '../format.js';
import { sparkline, type LossProfile } from '../../analyze/sparkline.js';
import { smoothBuckets } from '../chart/smoothing.js';
import { displayWidth, wrapIndented } from '../wrap.js';

export interface TextOptions {
  color?: boolean;
  /** Each finding's evidence (every number and threshold) and file line; JSON always has them. */
  verbose?: boolean;
  /** Leave out runs whose verdict is ok (notices only included): for big folders. The summary line still counts them. */
  onlyProblems?: boolean;
  /** Columns to wrap at (`outputWidth`); no wrapping when not given. */
  width?: number;
}

/** How `findingLines` prints: the evidence and file lines only when verbose; wrapped when a width is given. */
export interface FindingTextOptions {
  verbose: boolean;
  width?: number;
}

const LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARN ', notice: 'NOTE ' };

function severityPaint(p: Paint, s: Severity): (t: string) => string {
  return s === 'error' ? p.red : s === 'warning' ? p.yellow : p.cyan;
}

/** The verdict label (`✗ FAILED `, …) and the run's name and counts, apart so wrapped lines can start under the name. */
function verdictLine(run: ReportRun, p: Paint, passed: number): { label: string; text: string } {
  const name = p.bold(termText(run.run));
  const c = { error: 0, warning: 0, notice: 0 };
  for (const f of run.findings) c[f.severity]++;
  switch (verdict(run)) {
    case 'failed':
      return { label: p.red('✗ FAILED '), text: `${name}  ${plural(c.error, 'error')}${c.warning ? `, ${plural(c.warning, 'warning')}` : ''}` };
    case 'warnings':
      return { label: p.yellow('! WARNING'), text: `${name}  ${plural(c.warning, 'warning')}` };
    case 'notes':
      return { label: p.green('✓ OK     '), text: `${name}  ${plural(passed, 'check')} passed, ${plural(c.notice, 'notice')}` };
    case 'healthy':
      return { label: p.green('✓ OK     '), text: `${name}  ${plural(passed, 'check')} passed` };
    case 'not_judged':
      return { label: p.yellow('? NOT JUDGED'), text: `${name}  no loss tag found${c.warning > 1 ? `, ${plural(c.warning - 1, 'other warning')}` : ''}` };
  }
}

/** TensorBoard's default smoothing weight (and `compare`'s): what a reader of its charts is used to. */
const LOSS_SMOOTHING = 0.6;

/**
 * Where the loss curve starts and ends once smoothed: TensorBoard's smoothing over the sparkline's
 * bucket means (debiased, so the start is the first bucket's mean), at the first and last bucket with
 * a finite value. One raw point says little: kohya's per-step loss swings 100× between timesteps.
 */
export function smoothedEnds(l: LossProfile): { first: number; last: number } | null {
  const constant = l.nonFinite === 0 && l.min !== null && l.min === l.max;
  const finite = [
    ...smoothBuckets(
      l.means.map((m) => m ?? NaN),
      l.finiteCounts,
      LOSS_SMOOTHING,
      constant,
    ),
  ].filter((v) => Number.isFinite(v));
  return finite.length > 0 ? { first: finite[0], last: finite[finite.length - 1] } : null;
}

/** The loss line, `tag  sparkline` and the numbers apart: on a narrow terminal the numbers go on a line of their own rather than split. */
function lossLine(run: ReportRun, p: Paint): { curve: string; numbers: string } | null {
  const l = run.stats.lossProfile;
  if (!l || l.points === 0) return null;
  const spark = l.means.some((m) => m !== null) || l.nonFiniteBuckets.length > 0 ? sparkline(l) : '';
  const ends = smoothedEnds(l);
  // The smoothed ends (raw first and last points can differ 45× on a healthy run); min and max stay raw, as the detectors see them.
  const range = ends === null ? 'no finite values' : `smoothed ${fmtNum(ends.first)} → ${fmtNum(ends.last)} (raw min ${fmtNum(l.min)}, max ${fmtNum(l.max)})`;
  const nonFinite = l.nonFinite > 0 ? `, ${p.red(`${l.nonFinite} NaN/Inf`)}` : '';
  return { curve: `  ${termText(l.tag)}  ${spark}`, numbers: `${range}, steps ${fmtNum(l.firstStep)}–${fmtNum(l.lastStep)}${nonFinite}` };
}

/** A `label: text` line under a finding; continuation lines start under the text. */
function labelled(label: string, text: string, width: number): string {
  return wrapIndented(`        ${label}: ${text}`, width, 8 + label.length + 2);
}

/**
 * One finding as `diagnose` prints it (also the text of a `watch` alert): the message line and the
 * advice; the evidence (its numbers are in the message, all of them in JSON) and the file line only
 * when verbose.
 */
export function findingLines(f: ReportFinding, p: Paint, options: FindingTextOptions): string[] {
  const width = options.width ?? Infinity;
  const where = [f.tag === null ? '' : termText(f.tag), stepText(f), termText(configText(f))].filter(Boolean).join(' ');
  // Continuation lines of the message start under the kind, where the `try:` and `evidence:` lines start.
  const lines = [
    wrapIndented(`  ${severityPaint(p, f.severity)(LABEL[f.severity])} ${p.bold(f.kind)}${where ? ` ${where}` : ''}: ${termText(f.message)}`, width, 8),
  ];
  const ev = Object.entries(f.evidence);
  if (options.verbose && ev.length > 0)
    lines.push(
      p.dim(labelled('evidence', `${ev.map(([k, v]) => `${termText(k)}=${termText(fmtEvidence(v))}`).join(', ')}; confidence ${f.confidence}`, width)),
    );
  // A config finding's file:line is the line to change: shown always; other files (event files, byte offsets) with --verbose.
  if ((options.verbose || f.kind === 'config') && f.file !== null) lines.push(p.dim(labelled('file', termText(findingFile(f)!), width)));
  if (f.advice) lines.push(labelled('try', termText(f.advice), width));
  return lines;
}

/** DAdapt/Prodigy's effective learning rate (d·lr, from the `lr/d*lr*` tags), when the run logged it. */
function effectiveLrText(run: ReportRun): string | null {
  const { lrTag, lrPeak } = run.stats;
  return lrTag !== null && lrTag.includes('d*lr') && lrPeak !== null ? `effective lr (d·lr) peak ${fmtNum(lrPeak)}` : null;
}

/** Runs `--only-problems` leaves out: those the summary counts as ok (healthy, or notices only). */
function isOk(run: ReportRun): boolean {
  const v = verdict(run);
  return v === 'healthy' || v === 'notes';
}

/**
 * The human report: per run a verdict line, the loss sparkline, who the run is, then findings with
 * advice (and evidence when verbose); each line wrapped at `width` with its hanging indent.
 */
export function renderText(report: DiagnosisReport, options: TextOptions = {}): string {
  const p = paint(options.color ?? false);
  const width = options.width ?? Infinity;
  const passedByRun = new Map(report.checksPassed.map((c) => [c.run, c.kinds.length]));
  const out: string[] = [];
  const shown = options.onlyProblems ? report.runs.filter((r) => !isOk(r)) : report.runs;
  for (const run of shown) {
    const head = verdictLine(run, p, passedByRun.get(run.run) ?? 0);
    out.push(wrapIndented(`${head.label} ${head.text}`, width, displayWidth(head.label) + 1));
    const loss = lossLine(run, p);
    if (loss) {
      const line = `${loss.curve}  ${loss.numbers}`;
      out.push(displayWidth(line) <= width ? line : `${wrapIndented(loss.curve, width, 4)}\n${wrapIndented(`    ${loss.numbers}`, width, 4)}`);
    }
    const id = identityParts(run.identity);
    const effective = effectiveLrText(run);
    if (effective) {
      // Beside the nominal lr (Prodigy/DAdapt's is ≈ 1 and says nothing about the step size).
      const at = id.findIndex((part) => /^lr /.test(part));
      id.splice(at >= 0 ? at + 1 : id.length, 0, effective);
    }
    out.push(p.dim(wrapIndented(`  ${id.length > 0 ? termText(id.join(' · ')) : 'no run metadata (no weights file linked, no hparams logged)'}`, width, 4)));
    if (run.trainer) out.push(p.dim(wrapIndented(`  trainer: ${termText(run.trainer.description)}`, width, 11)));
    // Where the values above came from when the trainer's config file filled some of them (weights and hparams go first).
    if (run.identity.configPath) out.push(p.dim(wrapIndented(`  config: ${termText(run.identity.configPath)}`, width, 10)));
    for (const w of run.weights) {
      const health =
        w.nanElements + w.infElements > 0 ? p.red(`${w.nanElements} NaN, ${w.infElements} Inf`) : `${w.zeroUpTensors}/${w.upTensors} lora_up all-zero`;
      // Why it was linked is in the JSON (`linkReason`): one line per file keeps the text scannable.
      const line =
        p.dim(`  weights: ${termText(w.path)}${w.steps !== null ? ` @ step ${w.steps}` : ''} (${w.dtypes.join('/')}, ${w.modules} modules; `) +
        health +
        p.dim(')');
      out.push(wrapIndented(line, width, 11));
    }
    if (run.weights.length === 0 && run.weightsNote) out.push(p.dim(wrapIndented(`  weights: ${termText(run.weightsNote)}`, width, 11)));
    for (const f of run.findings) out.push(...findingLines(f, p, { verbose: options.verbose ?? false, width }));
    out.push('');
  }
  for (const problem of report.problems)
    out.push(p.yellow(wrapIndented(`problem: ${termText(problem.path ? `${problem.path}: ${problem.message}` : problem.message)}`, width, 9)));
  const hidden = report.runs.length - shown.length;
  if (hidden > 0) out.push(p.dim(`${plural(hidden, 'ok run')} not shown (--only-problems)`));
  const c = reportCounts(report);
  out.push(wrapIndented(`${plural(c.runs, 'run')}: ${c.failed} failed, ${c.warnings} with warnings, ${c.healthy} ok · ${countsText(report.counts)}`, width, 2));
  return `${out.join('\n')}\n`;
}
