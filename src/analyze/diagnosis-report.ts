import { createHash } from 'node:crypto';
import { basename, isAbsolute, relative, sep } from 'node:path';
import { compareFindings, type Finding, type FindingKind, type Severity } from '../detect/finding.js';
import { runStats, type RunStats } from '../detect/diagnose.js';
import type { RunIdentity } from '../identity/identity.js';
import type { ReportTrainer } from './trainer-identity.js';
import type { WeightsSummary } from '../weights/summary.js';
import type { Run } from '../runs/types.js';
import { lossProfile, type LossProfile } from './sparkline.js';
import { TOOL_NAME, toolVersion } from './tool.js';

/** Bumped only when a field changes meaning or disappears; new fields do not bump it. */
export const REPORT_VERSION = 1;

/**
 * A detector's finding as the report carries it: the same fields (one definition, in detect/finding.ts, so the
 * two cannot drift apart), plus the kind's title and a fingerprint, and `file`/`offset` null rather than absent
 * so every JSON finding has the same keys.
 */
export interface ReportFinding extends Omit<Finding, 'file' | 'offset'> {
  /** Fixed short text per kind. */
  title: string;
  /** Event or weights file, relative to the working directory when inside it. */
  file: string | null;
  offset: number | null;
  /** Hash of kind + run + tag + step range: stable across re-runs, for dedup in SARIF and CI. */
  fingerprint: string;
}

/** The counts a report shows of a linked weights file: the reader's own fields (weights/summary.ts), copied as they are. */
type WeightsCounts = Pick<
  WeightsSummary,
  'path' | 'dtypes' | 'tensors' | 'modules' | 'nanElements' | 'infElements' | 'nanTensors' | 'infTensors' | 'upTensors' | 'zeroUpTensors' | 'upRms'
>;

/** A linked weights file as the report shows it (metadata stays out: it is in `identity`); the optional fields are null when absent. */
export interface ReportWeights extends WeightsCounts {
  linkReason: string | null;
  steps: number | null;
  epoch: number | null;
  hashMismatch: boolean | null;
}

/** The detectors' per-run numbers, plus the loss curve in buckets for sparklines (null when no loss was logged). */
export type ReportStats = RunStats & { lossProfile: LossProfile | null };

/** A run's report statistics: `runStats`, and the profile of the same loss tag the detectors judged. */
export function reportStats(run: Run): ReportStats {
  const stats = runStats(run);
  const loss = stats.lossTag === null ? undefined : run.scalars.get(stats.lossTag);
  return { ...stats, lossProfile: loss && loss.length > 0 ? lossProfile(loss) : null };
}

export interface ReportRun {
  run: string;
  path: string;
  /** The run's event files. */
  files: string[];
  identity: RunIdentity;
  /** The trainer profile the run was read with; null when the report was assembled without one. */
  trainer?: ReportTrainer | null;
  weights: ReportWeights[];
  /** Why no weights file is linked (none found, or ambiguous candidates); null when one is. */
  weightsNote: string | null;
  stats: ReportStats;
  findings: ReportFinding[];
}

export interface CheckSkipped {
  run: string;
  kind: FindingKind;
  reason: string;
}

export interface ToolProblem {
  path: string | null;
  message: string;
}

export type SeverityCounts = Record<Severity, number>;

export interface DiagnosisReport {
  version: typeof REPORT_VERSION;
  tool: { name: string; version: string };
  /** The effective thresholds (defaults merged with the config file). */
  config: Record<string, unknown>;
  runs: ReportRun[];
  counts: SeverityCounts;
  /** Per run, the checks that ran and found nothing, so silence is unambiguous. */
  checksPassed: { run: string; kinds: FindingKind[] }[];
  checksSkipped: CheckSkipped[];
  /** Tool-level issues that did not stop the analysis (unreadable weights file, skipped directory). */
  problems: ToolProblem[];
}

export const KIND_TITLES: Record<FindingKind, string> = {
  nan_loss: 'Loss became NaN/Inf',
  explosion: 'Loss diverged',
  flat: 'Training had no measurable effect',
  constant_loss: 'Loss is constant',
  loss_outlier: 'Isolated loss spike',
  lr_schedule: 'Learning-rate schedule anomaly',
  overfitting: 'Validation loss rose',
  nan_weights: 'Weights hold NaN',
  inf_weights: 'Weights hold Inf',
  zero_weights: 'LoRA weights never trained',
  zero_weight_group: 'A weight group never trained',
  weights_mismatch: 'Weights file does not match the log',
  restart: 'Run restarted',
  step_collapse: 'Points logged at one step',
  concurrent_writers: 'Two writers in one run',
  truncated: 'Event file truncated',
  crc_error: 'Corrupt record',
  damaged: 'Damaged event file',
  not_event_file: 'Not an event file',
  empty: 'Run has no data',
  insufficient_data: 'Too little data to judge',
  no_loss: 'Not judged: no loss tag',
  incomplete: 'Run stopped early',
  config: 'Training config setting flagged',
};

/** Everything analysis produced for one run, before it is put in report form. */
export interface RunInput {
  name: string;
  dir: string;
  files: string[];
  identity: RunIdentity;
  /** The trainer profile the run was read with (trainer-identity.ts). */
  trainer?: ReportTrainer;
  weights: WeightsSummary[];
  weightsNote?: string | null;
  stats: ReportStats;
  findings: Finding[];
  /** The checks that applied to this run, and those that could not (with why). */
  checks: { kind: FindingKind; skipped?: string }[];
}

export interface ReportInput {
  config: Record<string, unknown>;
  runs: RunInput[];
  problems: ToolProblem[];
  /** Paths are shown relative to this directory when inside it (default: the working directory). */
  base?: string;
}

/** Relative, `/`-separated when under `base` (so CI annotations link); absolute otherwise. */
export function displayPath(path: string, base: string = process.cwd()): string {
  const rel = relative(base, path);
  if (rel === '') return '.';
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return path.split(sep).join('/');
  return rel.split(sep).join('/');
}

export function fingerprint(
  f: Pick<Finding, 'kind' | 'run' | 'tag' | 'step' | 'endStep'> & Partial<Pick<Finding, 'file' | 'offset' | 'rule' | 'key'>>,
): string {
  const parts: unknown[] = [f.kind, f.run, f.tag, f.step, f.endStep];
  // File-level findings (damage, weights) have no tag or step: two damaged files of one run must not
  // share a fingerprint (SARIF consumers would merge them). The file's name, not its machine path.
  if (f.tag === null && f.step === null && f.file) parts.push(basename(f.file), f.offset ?? null);
  // Config findings: several rules flag one file. Rule and key, not the line: editing lines above must not reopen an alert.
  if (f.rule !== undefined) parts.push(f.rule, f.key ?? null);
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

function byText(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The shared order (worst first, run, step, kind), then tag and message so ties cannot depend on detector order. */
export function compareReportFindings(a: ReportFinding, b: ReportFinding): number {
  return compareFindings(a as Finding, b as Finding) || byText(a.tag, b.tag) || (a.endStep ?? -1) - (b.endStep ?? -1) || byText(a.message, b.message);
}

export function reportFinding(f: Finding, base?: string): ReportFinding {
  return {
    kind: f.kind,
    severity: f.severity,
    title: KIND_TITLES[f.kind] ?? f.kind,
    run: f.run,
    tag: f.tag,
    step: f.step,
    endStep: f.endStep,
    message: f.message,
    evidence: { ...f.evidence },
    advice: f.advice,
    confidence: f.confidence,
    file: f.file === undefined ? null : displayPath(f.file, base),
    offset: f.offset ?? null,
    fingerprint: fingerprint(f),
    ...(f.kind === 'config' ? { rule: f.rule, key: f.key ?? null, line: f.line ?? null, column: f.column ?? null } : {}),
  };
}

function reportWeights(w: WeightsSummary, base?: string): ReportWeights {
  return {
    path: displayPath(w.path, base),
    linkReason: w.linkReason ?? null,
    dtypes: [...w.dtypes],
    tensors: w.tensors,
    modules: w.modules,
    nanElements: w.nanElements,
    infElements: w.infElements,
    nanTensors: [...w.nanTensors],
    infTensors: [...w.infTensors],
    upTensors: w.upTensors,
    zeroUpTensors: w.zeroUpTensors,
    upRms: w.upRms,
    steps: w.steps ?? null,
    epoch: w.epoch ?? null,
    hashMismatch: w.hashMismatch ?? null,
  };
}

export function countSeverities(findings: Iterable<{ severity: Severity }>): SeverityCounts {
  const counts: SeverityCounts = { error: 0, warning: 0, notice: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** Runs by name, findings in the shared order: the same input gives the same bytes. */
export function assembleReport(input: ReportInput): DiagnosisReport {
  const runs = [...input.runs].sort((a, b) => byText(a.name, b.name));
  const checksPassed: DiagnosisReport['checksPassed'] = [];
  const checksSkipped: CheckSkipped[] = [];
  const reportRuns: ReportRun[] = runs.map((r) => {
    const findings = r.findings.map((f) => reportFinding(f, input.base)).sort(compareReportFindings);
    const found = new Set(findings.map((f) => f.kind));
    const passed: FindingKind[] = [];
    for (const c of r.checks) {
      if (c.skipped !== undefined) checksSkipped.push({ run: r.name, kind: c.kind, reason: c.skipped });
      else if (!found.has(c.kind)) passed.push(c.kind);
    }
    checksPassed.push({ run: r.name, kinds: passed });
    return {
      run: r.name,
      path: displayPath(r.dir, input.base),
      files: r.files.map((f) => displayPath(f, input.base)),
      identity: r.identity.configPath === undefined ? r.identity : { ...r.identity, configPath: displayPath(r.identity.configPath, input.base) },
      trainer: r.trainer ?? null,
      weights: r.weights.map((w) => reportWeights(w, input.base)).sort((a, b) => byText(a.path, b.path)),
      weightsNote: r.weightsNote ?? null,
      stats: r.stats,
      findings,
    };
  });
  const problems = input.problems
    .map((p) => ({ ...p, path: p.path === null ? null : displayPath(p.path, input.base) }))
    .sort((a, b) => byText(a.path, b.path) || byText(a.message, b.message));
  return {
    version: REPORT_VERSION,
    tool: { name: TOOL_NAME, version: toolVersion() },
    config: input.config,
    runs: reportRuns,
    counts: countSeverities(reportRuns.flatMap((r) => r.findings)),
    checksPassed,
    checksSkipped,
    problems,
  };
}

/** Every finding of the report, in the shared order. */
export function allFindings(report: DiagnosisReport): ReportFinding[] {
  return report.runs.flatMap((r) => r.findings).sort(compareReportFindings);
}

export type FailLevel = 'error' | 'warning';

/** 1 when some finding is at or above the fail level, else 0 (2 is decided before a report exists). */
export function exitCodeFor(report: DiagnosisReport, failOn: FailLevel = 'error'): 0 | 1 {
  const c = report.counts;
  return c.error > 0 || (failOn === 'warning' && c.warning > 0) ? 1 : 0;
}

/** JSON cannot hold NaN/±Inf: they become the strings "NaN", "Infinity", "-Infinity" (as in `export`). */
export function reportJson(report: DiagnosisReport): string {
  return `${JSON.stringify(report, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 2)}\n`;
}

/** The report `check --format json` writes at exit 2: the reason in `error`, no runs, nothing counted. */
export type FailureReport = DiagnosisReport & { error: string };

export function failureReport(message: string): FailureReport {
  return {
    version: REPORT_VERSION,
    tool: { name: TOOL_NAME, version: toolVersion() },
    error: message,
    config: {},
    runs: [],
    counts: { error: 0, warning: 0, notice: 0 },
    checksPassed: [],
    checksSkipped: [],
    problems: [{ path: null, message }],
  };
}
