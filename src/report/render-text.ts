import type { Severity } from '../detect/finding.js';
import { paint, type Paint } from './color.js';
import type { DiagnosisReport, ReportFinding, ReportRun } from './diagnosis-report.js';
import { termText } from './escape.js';
import { countsText, fmtEvidence, fmtNum, identityParts, plural, reportCounts, stepText, verdict } from './format.js';
import { sparkline } from './sparkline.js';

export interface TextOptions {
  color?: boolean;
}

const LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARN ', notice: 'NOTE ' };

function severityPaint(p: Paint, s: Severity): (t: string) => string {
  return s === 'error' ? p.red : s === 'warning' ? p.yellow : p.cyan;
}

function verdictLine(run: ReportRun, p: Paint, passed: number): string {
  const name = p.bold(termText(run.run));
  const c = { error: 0, warning: 0, notice: 0 };
  for (const f of run.findings) c[f.severity]++;
  switch (verdict(run)) {
    case 'failed':
      return `${p.red('✗ FAILED ')} ${name}  ${plural(c.error, 'error')}${c.warning ? `, ${plural(c.warning, 'warning')}` : ''}`;
    case 'warnings':
      return `${p.yellow('! WARNING')} ${name}  ${plural(c.warning, 'warning')}`;
    case 'notes':
      return `${p.green('✓ OK     ')} ${name}  ${plural(passed, 'check')} passed, ${plural(c.notice, 'notice')}`;
    case 'healthy':
      return `${p.green('✓ OK     ')} ${name}  ${plural(passed, 'check')} passed`;
  }
}

function lossLine(run: ReportRun, p: Paint): string | null {
  const l = run.stats.lossProfile;
  if (!l || l.points === 0) return null;
  const spark = l.means.some((m) => m !== null) || l.nonFiniteBuckets.length > 0 ? sparkline(l) : '';
  const range = l.first === null ? 'no finite values' : `${fmtNum(l.first)} → ${fmtNum(l.last)} (min ${fmtNum(l.min)}, max ${fmtNum(l.max)})`;
  const nonFinite = l.nonFinite > 0 ? `, ${p.red(`${l.nonFinite} NaN/Inf`)}` : '';
  return `  ${termText(l.tag)}  ${spark}  ${range}, steps ${fmtNum(l.firstStep)}–${fmtNum(l.lastStep)}${nonFinite}`;
}

/** One finding as `diagnose` prints it (also the text of a `watch` alert). */
export function findingLines(f: ReportFinding, p: Paint): string[] {
  const where = [f.tag === null ? '' : termText(f.tag), stepText(f)].filter(Boolean).join(' ');
  const head = `  ${severityPaint(p, f.severity)(LABEL[f.severity])} ${p.bold(f.kind)}${where ? ` ${where}` : ''}: ${termText(f.message)}`;
  const lines = [head];
  const ev = Object.entries(f.evidence);
  if (ev.length > 0) lines.push(p.dim(`        evidence: ${ev.map(([k, v]) => `${termText(k)}=${termText(fmtEvidence(v))}`).join(', ')}; confidence ${f.confidence}`));
  if (f.file !== null) lines.push(p.dim(`        file: ${termText(f.file)}${f.offset !== null ? ` at byte ${f.offset}` : ''}`));
  if (f.advice) lines.push(`        try: ${termText(f.advice)}`);
  return lines;
}

/** The human report: per run a verdict line, the loss sparkline, who the run is, then findings with advice. */
export function renderText(report: DiagnosisReport, options: TextOptions = {}): string {
  const p = paint(options.color ?? false);
  const passedByRun = new Map(report.checksPassed.map((c) => [c.run, c.kinds.length]));
  const out: string[] = [];
  for (const run of report.runs) {
    out.push(verdictLine(run, p, passedByRun.get(run.run) ?? 0));
    const loss = lossLine(run, p);
    if (loss) out.push(loss);
    const id = identityParts(run.identity);
    out.push(p.dim(`  ${id.length > 0 ? termText(id.join(' · ')) : 'no run metadata (no weights file linked, no hparams logged)'}`));
    for (const w of run.weights) {
      const health = w.nanElements + w.infElements > 0 ? p.red(`${w.nanElements} NaN, ${w.infElements} Inf`) : `${w.zeroUpTensors}/${w.upTensors} lora_up all-zero`;
      // Why it was linked is in the JSON (`linkReason`): one line per file keeps the text scannable.
      out.push(p.dim(`  weights: ${termText(w.path)}${w.steps !== null ? ` @ step ${w.steps}` : ''} (${w.dtypes.join('/')}, ${w.modules} modules; `) + health + p.dim(')'));
    }
    if (run.weights.length === 0 && run.weightsNote) out.push(p.dim(`  weights: ${termText(run.weightsNote)}`));
    for (const f of run.findings) out.push(...findingLines(f, p));
    out.push('');
  }
  for (const problem of report.problems) out.push(p.yellow(`problem: ${termText(problem.path ? `${problem.path}: ${problem.message}` : problem.message)}`));
  const c = reportCounts(report);
  out.push(`${plural(c.runs, 'run')}: ${c.failed} failed, ${c.warnings} with warnings, ${c.healthy} ok · ${countsText(report.counts)}`);
  return `${out.join('\n')}\n`;
}
