import { stat } from 'node:fs/promises';
import { memoDirectories, type Lister } from '../io/list-directory.js';
import { limiter, type Limit } from '../io/limit.js';
import { loadLogdirs, type LoadedRoot } from '../runs/load-logdir.js';
import { namedRuns } from '../runs/run-names.js';
import type { RunIdentity } from '../identity/identity.js';
import type { Run, SeriesView } from '../runs/types.js';
import { hparamsProblems, identityFromHParams } from '../identity/hparams-identity.js';
import { configIdentity, configProblemLine } from './config-identity.js';
import { runRoles } from '../runs/profiles/index.js';
import { reportTrainer } from './trainer-identity.js';
import { linkRunWeights } from '../weights/link-files.js';
import type { WeightsSummary } from '../weights/summary.js';
import { DEFAULT_CONFIG, type DetectConfig } from '../detect/config.js';
import { diagnoseRunDetailed } from '../detect/diagnose.js';
import { configFindings } from './config-findings.js';
import { lintOwnConfig } from './run-config.js';
import { assembleReport, reportStats, type DiagnosisReport, type RunInput, type ToolProblem } from './diagnosis-report.js';

export interface AnalyzeOptions {
  /** Extra directories (or single files) searched for `.safetensors` LoRA files to link to the runs. */
  weightsDirs?: string[];
  /** Effective thresholds (default: the built-in ones). */
  config?: DetectConfig;
  view?: SeriesView;
  /** Report paths are relative to this directory when inside it (default: the working directory). */
  base?: string;
  /** How far each stage is (`loading runs`, `reading weights`, `diagnosing`), for a progress line; called once per run. */
  onProgress?: (stage: string, done: number, total: number) => void;
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

/**
 * Precedence, field by field: the weights file's metadata (it records what actually ran) > the hparams the
 * run logged (what the trainer was started with) > the trainer's config file beside the run (what was
 * asked for, and may have been edited since). `source` names the first that was found; `configPath`
 * stays whenever a field holds the config's value, so the report can say where a value came from.
 */
export function identityOf(run: Run, weights: WeightsSummary[], config?: RunIdentity): RunIdentity {
  const fromHParams = Object.keys(run.hparams).length > 0 ? identityFromHParams(run.hparams) : undefined;
  const main = mainWeights(run, weights);
  const fromWeights = main && main.identity.source !== 'none' ? main.identity : undefined;
  const layers = [config, fromHParams, fromWeights].filter((x): x is RunIdentity => x !== undefined);
  if (layers.length === 0) return { source: 'none' };
  const merged: RunIdentity = Object.assign({}, ...layers);
  merged.source = layers[layers.length - 1].source;
  if (
    config?.configPath &&
    Object.keys(config).some((k) => k !== 'source' && k !== 'configPath' && merged[k as keyof RunIdentity] === config[k as keyof RunIdentity])
  ) {
    merged.configPath = config.configPath;
  }
  return merged;
}

/**
 * Each run's trainer config (docs in config-identity.ts); a file that does not parse is one problem line, not a failure.
 * The searches run a few at a time (`inFlight`), and their problem lines are kept in run order.
 */
async function runConfigs(runs: Run[], problems: ToolProblem[], list: Lister, inFlight: Limit): Promise<(RunIdentity | undefined)[]> {
  const found = await Promise.all(runs.map((run) => inFlight(() => configIdentity(run.dir, runRoles(run).profile.id, list))));
  return found.map((c) => {
    if (!c) return undefined;
    if (!c.ok) {
      problems.push({ path: c.path, message: configProblemLine(c) });
      return undefined;
    }
    for (const message of c.problems) problems.push({ path: c.path, message });
    return c.identity;
  });
}

const NO_CONFIG = 'no config found (no config_lora-*.toml beside the run or its LoRA files, no --log_config hparams, no linked LoRA with ss_* metadata)';

/**
 * One run's analysis, as every command reports it: the detectors' findings and checks, then the lint of
 * the run's own settings (judged after the curves, so the policy can ask whether they corroborate them),
 * the trainer and the stats. `analyze` calls it per run; `watch` for a finished run, so its summary is
 * diagnose's.
 */
export async function analyzeRun(
  run: Run,
  given: {
    identity: RunIdentity;
    weights: WeightsSummary[];
    weightsNote: string | null;
    config: DetectConfig;
    /** Lists the directories the config search looks in; `analyze` passes one memo for all its runs. */
    list?: Lister;
  },
): Promise<RunInput> {
  const { identity, weights, config } = given;
  const trainer = reportTrainer(run);
  const diagnosis = diagnoseRunDetailed({ run, identity, weights }, config);
  const own = await lintOwnConfig(run, trainer.id, weights, mainWeights(run, weights), config, given.list);
  const configChecked = own.read.length > 0 ? [{ kind: 'config' as const }] : trainer.id === 'kohya' ? [{ kind: 'config' as const, skipped: NO_CONFIG }] : [];
  return {
    name: run.name,
    dir: run.dir,
    files: run.files.map((f) => f.path),
    identity,
    trainer,
    weights,
    weightsNote: given.weightsNote,
    stats: reportStats(run),
    findings: [...diagnosis.findings, ...configFindings(run.name, own.findings, diagnosis.findings)],
    checks: [...diagnosis.checks, ...configChecked],
  };
}

/** A path the user asked for that held event files, none of which could be read at all: exit 2, not a finding. */
function whollyUnreadable(root: LoadedRoot): boolean {
  return root.runs.every((r) => r.files.every((f) => f.error !== undefined || f.damage.some((d) => d.kind === 'not_event_file')));
}

/**
 * The whole diagnosis: load the runs under `paths`, find `.safetensors` files under the same paths and
 * the weights dirs, link them to runs, read the run identity (weights metadata, then logged hparams,
 * then the trainer's config file), run every detector and assemble the versioned report. Expected bad input (a path that
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
  const progress = options.onProgress;
  // The tree is walked three times (runs, LoRA files, each run's config): one read per directory serves all.
  const dirs = memoDirectories();
  const loaded = await loadLogdirs(paths, {
    directories: dirs,
    view: options.view ?? 'data-server',
    onProgress: progress && ((done, total) => progress('loading runs', done, total)),
  });
  if (!loaded.ok) return loaded;
  for (const root of loaded.roots) {
    if (whollyUnreadable(root)) return { ok: false, error: `${root.input}: no readable event file (every event file failed to open or is not TFRecord data)` };
  }
  const config = options.config ?? DEFAULT_CONFIG;
  const problems: ToolProblem[] = loaded.roots.flatMap((r) => r.skipped.map((s) => ({ path: s.path, message: `skipped (${s.reason})` })));

  const runs: Run[] = namedRuns(loaded.roots).map((e) => e.run);

  // Log paths are searched for LoRA files only when they are directories: an event file given directly is not a candidate.
  const logDirs: string[] = [];
  for (const p of paths) if ((await stat(p).catch(() => undefined))?.isDirectory()) logDirs.push(p);
  const links = await linkRunWeights(runs, [...logDirs, ...weightsDirs], {}, progress && ((done, total) => progress('reading weights', done, total)), dirs);
  for (const s of links.skipped) problems.push({ path: s.path, message: `weights search skipped it (${s.reason})` });
  for (const line of links.unreadable) problems.push({ path: null, message: line });
  for (const line of links.notices) problems.push({ path: null, message: line });
  for (const run of runs) for (const message of hparamsProblems(run.hparams)) problems.push({ path: run.dir, message });
  const list = dirs.list;
  // Each run's config search waits on the file system (a listing, a few opens): with thousands of runs,
  // one at a time leaves the CPU idle half the time; a few dozen at once stay well inside the file limit.
  const inFlight = limiter(32);
  const configs = await runConfigs(runs, problems, list, inFlight);

  let diagnosed = 0;
  const inputs = await Promise.all(
    runs.map((run, i) =>
      inFlight(async () => {
        // linkWeights answers in the order of the runs it was given.
        const weights = links.runs[i].files;
        // With no candidate file anywhere (a non-LoRA log) "no weights found" is noise, not news.
        const weightsNote = links.candidates === 0 ? null : (links.runs[i].note ?? null);
        const input = await analyzeRun(run, { identity: identityOf(run, weights, configs[i]), weights, weightsNote, config, list });
        progress?.('diagnosing', ++diagnosed, runs.length);
        return input;
      }),
    ),
  );
  const report = assembleReport({ config: config as unknown as Record<string, unknown>, runs: inputs, problems, base: options.base });
  return { ok: true, report, runs, roots: loaded.roots };
}
