import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLogdirs } from '../../src/runs/load-logdir.js';
import type { Run } from '../../src/runs/types.js';
import { identityFromHParams } from '../../src/identity/hparams-identity.js';
import { linkRunWeights } from '../../src/weights/link-files.js';
import type { RunIdentity } from '../../src/identity/identity.js';
import type { WeightsSummary } from '../../src/weights/summary.js';
import { DEFAULT_CONFIG, type DetectConfig } from '../../src/detect/config.js';
import { diagnoseRun } from '../../src/detect/diagnose.js';
import type { Finding, FindingKind } from '../../src/detect/finding.js';
import type { DiagnosisInput } from '../../src/detect/input.js';

/**
 * Scores the detectors against a labelled fixture root (`labels.json` beside the runs, as in
 * shared/fixtures/kohya): per labelled kind, recall and onset error; per finding kind, false alarms
 * on runs not labelled with it; and any warning/error on a healthy run.
 */
export interface LabelledRun {
  healthy: boolean;
  /** Absent in fixtures/trainers/labels.json (the run's last step is used). */
  total_steps?: number;
  expected_findings: { kind: string; first_step: number | null; offset?: number; tag?: string; max_severity?: 'warning' | 'notice' }[];
}

/** Label vocabulary → finding kind. `resumed_overlap` is what tblens calls a restart. */
export const LABEL_KIND: Record<string, FindingKind> = {
  explosion: 'explosion',
  nan_loss: 'nan_loss',
  flat: 'flat',
  nan_weights: 'nan_weights',
  inf_weights: 'inf_weights',
  zero_weights: 'zero_weights',
  resumed_overlap: 'restart',
  truncated: 'truncated',
  crc_error: 'crc_error',
  empty: 'empty',
};

export interface Case {
  key: string;
  run: Run;
  input: DiagnosisInput;
  label: LabelledRun;
  findings: Finding[];
}

export interface KindScore {
  kind: FindingKind;
  labelled: number;
  found: number;
  /** Labelled cases whose finding's step is within the tolerance of the label's first_step. */
  onsetOk: number;
  onsetChecked: number;
  onsetErrors: string[];
  missed: string[];
  /** Findings of this kind on runs not labelled with it, at any severity / at warning or error. */
  falseAny: string[];
  falseSerious: string[];
}

export interface Evaluation {
  cases: Case[];
  scores: KindScore[];
  /** Healthy runs with a warning or error (of any kind), as "run: kind severity". */
  healthyAlarms: string[];
  /** Label keys with no matching run under the root. */
  missingRuns: string[];
}

/** Findings more severe than their label's `max_severity` (an fp16 skip is a warning, never "stayed NaN"), as "run: kind severity". */
export function overSevere(cases: Case[]): string[] {
  const rank = { error: 0, warning: 1, notice: 2 } as const;
  const out: string[] = [];
  for (const c of cases) {
    for (const e of c.label.expected_findings) {
      if (!e.max_severity) continue;
      for (const f of c.findings) if (f.kind === LABEL_KIND[e.kind] && rank[f.severity] < rank[e.max_severity]) out.push(`${c.key}: ${f.kind} ${f.severity}`);
    }
  }
  return out;
}

/** Onset tolerance: a few percent of the run (labels come from a fixed rule and are approximate), and never less than one logging interval (`spacing`: a sparse log cannot place an onset closer). */
export function onsetTolerance(totalSteps: number, spacing = 1): number {
  return Math.max(25, Math.ceil(0.05 * totalSteps), Math.ceil(spacing));
}

/** Mean steps between the points of the run's longest series (1 for a log written every step). */
function logSpacing(run: Run): number {
  let best: { n: number; span: number } = { n: 0, span: 0 };
  for (const s of run.scalars.values()) if (s.length > best.n) best = { n: s.length, span: s.steps[s.length - 1] - s.steps[0] };
  return best.n > 1 ? best.span / (best.n - 1) : 1;
}

/** Labels of other trainers' runs carry no total_steps: the run's last logged step stands in. */
function lastLoggedStep(run: Run): number {
  let last = 0;
  for (const s of run.scalars.values()) if (s.length > 0) last = Math.max(last, s.steps[s.length - 1]);
  return last;
}

export async function loadCases(root: string, config: DetectConfig = DEFAULT_CONFIG): Promise<{ cases: Case[]; missingRuns: string[] }> {
  const labels = JSON.parse(readFileSync(join(root, 'labels.json'), 'utf8')) as { runs: Record<string, LabelledRun> };
  const loaded = await loadLogdirs([root]);
  if (!loaded.ok) throw new Error(loaded.error);
  const runs = loaded.roots[0].runs;
  const links = await linkRunWeights(runs, [root], { norms: false, verifyHash: false });
  const byRun = new Map(links.runs.map((l) => [l.run, l.files]));
  const cases: Case[] = [];
  const missingRuns: string[] = [];
  for (const [key, label] of Object.entries(labels.runs)) {
    const matching = runs.filter((r) => r.name === key || r.name.startsWith(`${key}/`));
    if (matching.length === 0) {
      missingRuns.push(key);
      continue;
    }
    for (const run of matching) {
      const weights: WeightsSummary[] = byRun.get(run.name) ?? [];
      const input: DiagnosisInput = { run, identity: identityFor(run, weights), weights };
      cases.push({ key, run, input, label, findings: diagnoseRun(input, config) });
    }
  }
  return { cases, missingRuns };
}

/** The final linked file's metadata, else kohya's --log_config hparams, else nothing. */
export function identityFor(run: Run, weights: WeightsSummary[]): RunIdentity {
  const last = weights[weights.length - 1];
  if (last) return last.identity;
  return Object.keys(run.hparams).length > 0 ? identityFromHParams(run.hparams) : { source: 'none' };
}

export function score(cases: Case[]): Omit<Evaluation, 'cases' | 'missingRuns'> {
  const kinds = [...new Set(Object.values(LABEL_KIND))];
  const scores: KindScore[] = kinds.map((kind) => ({
    kind,
    labelled: 0,
    found: 0,
    onsetOk: 0,
    onsetChecked: 0,
    onsetErrors: [],
    missed: [],
    falseAny: [],
    falseSerious: [],
  }));
  const byKind = new Map(scores.map((s) => [s.kind, s]));
  const healthyAlarms: string[] = [];
  for (const c of cases) {
    const labelled = new Set<FindingKind>();
    for (const e of c.label.expected_findings) {
      const kind = LABEL_KIND[e.kind];
      if (!kind) continue;
      labelled.add(kind);
      const s = byKind.get(kind)!;
      s.labelled++;
      const hits = c.findings.filter((f) => f.kind === kind);
      if (hits.length === 0) {
        s.missed.push(c.key);
        continue;
      }
      s.found++;
      if (e.first_step !== null && e.first_step !== undefined && hits.some((h) => h.step !== null)) {
        s.onsetChecked++;
        const best = Math.min(...hits.filter((h) => h.step !== null).map((h) => Math.abs(h.step! - e.first_step!)));
        if (best <= onsetTolerance(c.label.total_steps ?? lastLoggedStep(c.run), logSpacing(c.run))) s.onsetOk++;
        else s.onsetErrors.push(`${c.key}: off by ${best} steps (label ${e.first_step})`);
      } else if (e.offset !== undefined) {
        s.onsetChecked++;
        if (hits.some((h) => h.offset === e.offset)) s.onsetOk++;
        else s.onsetErrors.push(`${c.key}: byte offset ${hits.map((h) => h.offset).join(',')} vs label ${e.offset}`);
      }
    }
    for (const f of c.findings) {
      const s = byKind.get(f.kind);
      if (s && !labelled.has(f.kind)) {
        s.falseAny.push(`${c.key}: ${f.severity}`);
        if (f.severity !== 'notice') s.falseSerious.push(`${c.key}: ${f.severity}`);
      }
      if (c.label.healthy && f.severity !== 'notice' && !labelled.has(f.kind)) healthyAlarms.push(`${c.key}: ${f.kind} ${f.severity}`);
    }
  }
  return { scores, healthyAlarms };
}

export async function evaluateLabelled(root: string, config: DetectConfig = DEFAULT_CONFIG): Promise<Evaluation> {
  const { cases, missingRuns } = await loadCases(root, config);
  return { cases, missingRuns, ...score(cases) };
}

/** A fixed-width table for test output and the README. */
export function formatScores(e: Pick<Evaluation, 'scores' | 'healthyAlarms'>, runs: number): string {
  const lines = [`kind                labelled  found  recall  onset-ok  false(any)  false(warn+)   [${runs} runs]`];
  for (const s of e.scores) {
    const recall = s.labelled ? `${Math.round((100 * s.found) / s.labelled)} %` : '—';
    const onset = s.onsetChecked ? `${s.onsetOk}/${s.onsetChecked}` : '—';
    lines.push(
      `${s.kind.padEnd(20)}${String(s.labelled).padStart(8)}${String(s.found).padStart(7)}${recall.padStart(8)}${onset.padStart(10)}${String(s.falseAny.length).padStart(12)}${String(s.falseSerious.length).padStart(14)}`,
    );
  }
  lines.push(`healthy runs with a warning/error: ${e.healthyAlarms.length}${e.healthyAlarms.length ? ` (${e.healthyAlarms.join('; ')})` : ''}`);
  return lines.join('\n');
}
