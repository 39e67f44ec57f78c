import { stat } from 'node:fs/promises';
import { loadLogdirs, type LoadedRoot } from '../runs/load-logdir.js';
import type { RunIdentity } from '../runs/identity.js';
import type { Run, SeriesView } from '../runs/types.js';
import { identityFromHParams } from '../runs/weights/hparams-identity.js';
import { linkRunWeights } from '../runs/weights/link-files.js';
import type { WeightsSummary } from '../runs/weights/summary.js';
import { DEFAULT_CONFIG, type DetectConfig } from '../detect/config.js';
import { diagnoseRunDetailed } from '../detect/diagnose.js';
import { displayNames } from './compare-names.js';
import { assembleReport, reportStats, type DiagnosisReport, type RunInput, type ToolProblem } from './diagnosis-report.js';

export interface AnalyzeOptions {
  /** Extra directories (or single files) searched for `.safetensors` LoRA files to link to the runs. */
  weightsDirs?: string[];
  /** Effective thresholds (default: the built-in ones). */
  config?: DetectConfig;
  view?: SeriesView;
  /** Report paths are relative to this directory when inside it (default: the working directory). */
  base?: string;
}

export type AnalyzeResult =
  | {
      ok: true;
      report: DiagnosisReport;
      /** The loaded runs, named as in the report (so a caller drawing their series need not load them again). */
      runs: Run[];
      roots: LoadedRoot[];
    }
  | { ok: false; error: string };

function lastLoggedStep(run: Run): number {
  let last = -Infinity;
  for (const s of run.scalars.values()) if (s.length > 0 && s.steps[s.length - 1] > last) last = s.steps[s.length - 1];
  return last;
}

/**
 * The weights file that speaks for the run: the latest save the log reached (ss_steps ≤ last logged
 * step, most steps first), else the one nearest the log's end. Preferring "most steps" alone would
 * let a longer run's file, linked by mistake, rename the optimizer and lr of this one.
 */
function mainWeights(run: Run, weights: WeightsSummary[]): WeightsSummary | undefined {
  const last = lastLoggedStep(run);
  const byPath = (a: WeightsSummary, b: WeightsSummary) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const reached = weights.filter((w) => w.steps !== undefined && w.steps <= last).sort((a, b) => b.steps! - a.steps! || byPath(a, b));
  if (reached.length > 0) return reached[0];
  const dist = (w: WeightsSummary) => (w.steps === undefined ? Infinity : Math.abs(w.steps - last));
  return [...weights].sort((a, b) => dist(a) - dist(b) || byPath(a, b))[0];
}

/** Metadata from the weights file first (it records what actually ran), gaps filled from kohya's logged hparams. */
export function identityOf(run: Run, weights: WeightsSummary[]): RunIdentity {
  const fromHParams = Object.keys(run.hparams).length > 0 ? identityFromHParams(run.hparams) : undefined;
  const main = mainWeights(run, weights);
  if (main && main.identity.source !== 'none') return fromHParams ? { ...fromHParams, ...main.identity, source: 'safetensors' } : main.identity;
  return fromHParams ?? { source: 'none' };
}

/** A path the user asked for that held event files, none of which could be read at all: exit 2, not a finding. */
function whollyUnreadable(root: LoadedRoot): boolean {
  return root.runs.every((r) => r.files.every((f) => f.error !== undefined || f.damage.some((d) => d.kind === 'not_event_file')));
}

/**
 * The whole diagnosis: load the runs under `paths`, find `.safetensors` files under the same paths and
 * the weights dirs, link them to runs, read the run identity (weights metadata first, else kohya
 * hparams), run every detector and assemble the versioned report. Expected bad input (a path that
 * does not exist or holds no readable event file) comes back as `{ ok: false, error }`.
 */
export async function analyze(paths: string[], options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  if (paths.length === 0) return { ok: false, error: 'no log directory or event file given' };
  const weightsDirs = options.weightsDirs ?? [];
  for (const dir of weightsDirs) {
    try {
      await stat(dir);
    } catch {
      return { ok: false, error: `--weights ${dir}: no such file or directory` };
    }
  }
  const loaded = await loadLogdirs(paths, { view: options.view ?? 'data-server' });
  if (!loaded.ok) return loaded;
  for (const root of loaded.roots) {
    if (whollyUnreadable(root)) return { ok: false, error: `${root.input}: no readable event file (every event file failed to open or is not TFRecord data)` };
  }
  const config = options.config ?? DEFAULT_CONFIG;
  const problems: ToolProblem[] = loaded.roots.flatMap((r) => r.skipped.map((s) => ({ path: s.path, message: `skipped (${s.reason})` })));

  const entries = loaded.roots.flatMap((root) => root.runs.map((run) => ({ root, run })));
  const names = displayNames(entries.map((e) => ({ dir: e.run.dir, root: e.root.root })));
  const runs: Run[] = entries.map((e, i) => ({ ...e.run, name: names[i] }));

  // Log paths are searched for LoRA files only when they are directories: an event file given directly is not a candidate.
  const logDirs: string[] = [];
  for (const p of paths) if ((await stat(p).catch(() => undefined))?.isDirectory()) logDirs.push(p);
  const links = await linkRunWeights(runs, [...logDirs, ...weightsDirs]);
  for (const s of links.skipped) problems.push({ path: s.path, message: `weights search skipped it (${s.reason})` });
  for (const line of links.unreadable) problems.push({ path: null, message: line });

  const inputs: RunInput[] = runs.map((run, i) => {
    // linkWeights answers in the order of the runs it was given.
    const weights = links.runs[i].files;
    const identity = identityOf(run, weights);
    const diagnosis = diagnoseRunDetailed({ run, identity, weights }, config);
    return {
      name: run.name,
      dir: run.dir,
      files: run.files.map((f) => f.path),
      identity,
      weights,
      // With no candidate file anywhere (a non-LoRA log) "no weights found" is noise, not news.
      weightsNote: links.candidates === 0 ? null : (links.runs[i].note ?? null),
      stats: reportStats(run),
      findings: diagnosis.findings,
      checks: diagnosis.checks,
    };
  });
  const report = assembleReport({ config: config as unknown as Record<string, unknown>, runs: inputs, problems, base: options.base });
  return { ok: true, report, runs, roots: loaded.roots };
}
