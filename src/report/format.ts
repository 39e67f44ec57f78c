import type { Severity } from '../detect/finding.js';
import { shortExponent } from '../detect/numbers.js';
import type { RunIdentity } from '../identity/identity.js';
import type { DiagnosisReport, ReportFinding, ReportRun } from '../analyze/diagnosis-report.js';

/** Three significant digits; exponent form for learning-rate-sized and huge numbers. */
export function fmtNum(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return shortExponent(x);
  return String(Number(x.toPrecision(3)));
}

export function fmtEvidence(v: number | string | boolean | null): string {
  return typeof v === 'number' ? fmtNum(v) : String(v);
}

export function stepText(f: Pick<ReportFinding, 'step' | 'endStep'>): string {
  if (f.step === null) return '';
  if (f.endStep === null || f.endStep === f.step) return `step ${f.step}`;
  return `steps ${f.step}–${f.endStep}`;
}

/** `file:line:col`, as compilers print a place in a text file; line and column only when known. */
export function fileLineCol(file: string, line?: number | null, column?: number | null): string {
  return `${file}${line != null ? `:${line}${column != null ? `:${column}` : ''}` : ''}`;
}

/** Where a finding points: `file:line:col` in a config, `file at byte N` in a damaged event file; null without a file. */
export function findingFile(f: Pick<ReportFinding, 'file' | 'offset' | 'line' | 'column'>): string | null {
  if (f.file === null) return null;
  return `${fileLineCol(f.file, f.line, f.column)}${f.offset !== null ? ` at byte ${f.offset}` : ''}`;
}

/** A config finding's rule and key (`weight_decay_high optimizer_args`), shown where other findings show tag and steps. */
export function configText(f: Pick<ReportFinding, 'kind' | 'rule' | 'key'>): string {
  if (f.kind !== 'config' || f.rule === undefined) return '';
  return f.key ? `${f.rule} ${f.key}` : f.rule;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function countsText(c: Record<Severity, number>): string {
  return `${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${plural(c.notice, 'notice')}`;
}

export type Verdict = 'failed' | 'warnings' | 'healthy' | 'notes' | 'not_judged';

/** The worst severity decides; a run with notices only is healthy with notes. */
export function verdict(run: ReportRun): Verdict {
  if (run.findings.some((f) => f.severity === 'error')) return 'failed';
  // No loss tag: the loss rules did not run, so silence is not health (counted with the warnings).
  if (run.findings.some((f) => f.kind === 'no_loss')) return 'not_judged';
  if (run.findings.some((f) => f.severity === 'warning')) return 'warnings';
  return run.findings.length > 0 ? 'notes' : 'healthy';
}

/** `AdamW(weight_decay=0.01,betas=(0.9, 0.999))`: the class name and the arguments as written. */
export function optimizerText(id: RunIdentity): string | null {
  const o = id.optimizer;
  if (!o) return null;
  const open = o.raw.indexOf('(');
  return open >= 0 ? `${o.name}${o.raw.slice(open)}` : o.name;
}

function lrText(id: RunIdentity): string | null {
  const parts: string[] = [];
  if (typeof id.learningRate === 'number') parts.push(`lr ${fmtNum(id.learningRate)}`);
  if (typeof id.unetLr === 'number' && id.unetLr !== id.learningRate) parts.push(`unet ${fmtNum(id.unetLr)}`);
  const te = id.textEncoderLr;
  if (typeof te === 'number' && te !== id.learningRate) parts.push(`te ${fmtNum(te)}`);
  else if (Array.isArray(te) && te.length > 0) parts.push(`te ${te.map(fmtNum).join('/')}`);
  if (parts.length === 0) return null;
  const sched = [id.lrScheduler, id.lrWarmupSteps ? `warmup ${fmtNum(id.lrWarmupSteps)}` : ''].filter(Boolean).join(', ');
  return sched ? `${parts.join(' ')} (${sched})` : parts.join(' ');
}

/** The identity facts a reader checks first, in a fixed order; empty when nothing is known. */
export function identityParts(id: RunIdentity): string[] {
  const parts: string[] = [];
  const opt = optimizerText(id);
  if (opt) parts.push(opt);
  const lr = lrText(id);
  if (lr) parts.push(lr);
  if (id.totalBatchSize !== undefined) parts.push(`batch ${id.totalBatchSize}`);
  else if (id.batchSizePerDevice !== undefined) parts.push(`batch ${id.batchSizePerDevice}`);
  const steps = id.steps ?? id.maxTrainSteps;
  if (steps !== undefined) parts.push(`${steps} steps`);
  if (id.epochs !== undefined) parts.push(plural(id.epochs, 'epoch'));
  if (id.networkDim !== undefined) parts.push(`dim ${id.networkDim}${id.networkAlpha !== undefined ? `/alpha ${fmtNum(id.networkAlpha)}` : ''}`);
  // kohya writes `no` for full fp32 training.
  if (id.mixedPrecision) parts.push(id.mixedPrecision === 'no' ? 'fp32' : `${id.mixedPrecision} mixed precision`);
  return parts;
}

export function reportCounts(report: DiagnosisReport): { runs: number; failed: number; warnings: number; healthy: number } {
  let failed = 0;
  let warnings = 0;
  for (const r of report.runs) {
    const v = verdict(r);
    if (v === 'failed') failed++;
    else if (v === 'warnings' || v === 'not_judged') warnings++;
  }
  return { runs: report.runs.length, failed, warnings, healthy: report.runs.length - failed - warnings };
}
