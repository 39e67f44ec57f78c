import { open, stat } from 'node:fs/promises';
import { readSmallText } from '../io/read-small-text.js';
import { basename, dirname, extname, resolve } from 'node:path';
import { DEFAULT_CONFIG, type DetectConfig } from '../detect/config.js';
import { ioMessage } from '../io/io-message.js';
import { listDirectory, type Lister } from '../io/list-directory.js';
import { readSafetensorsHeader } from '../weights/header.js';
import { countBatchesPerEpoch } from './count-images.js';
import type { ConfigDocument, ConfigFormat } from './document.js';
import { compareLintFindings, type LintFinding } from './finding.js';
import { isDatasetToml, datasetDocument } from './from-toml.js';
import { hparamsDocument, metadataDocument } from './from-run.js';
import { readToml } from './read-toml.js';
import { recogniseText } from './recognise.js';
import { LINT_CHECKS } from './rules/index.js';
import { asText } from './values.js';

export interface LintedFile {
  file: string;
  format: ConfigFormat;
  findings: LintFinding[];
  /** Source lines, so text output can show the line a finding points at. */
  lines: string[];
}

/** A file that could not be read or parsed: exit 2, with the parser's line and column when it gave them. */
export interface LintProblem {
  file: string;
  line: number | null;
  column: number | null;
  message: string;
}

export interface LintReport {
  files: LintedFile[];
  problems: LintProblem[];
  /** Files in the given directories that are not configs (skipped, said so). */
  skipped: { file: string; reason: string }[];
  counts: { error: number; warning: number; notice: number };
}

/** Runs every rule on one document, worst-first within each line. */
export function lintDocument(doc: ConfigDocument, config: DetectConfig = DEFAULT_CONFIG): LintFinding[] {
  return LINT_CHECKS.flatMap((check) => check(doc, config)).sort(compareLintFindings);
}

/**
 * Lints one config given as text (no file system access: image counts, and so the steps check,
 * need `lintConfig`). A text that is no known config, or does not parse, is a problem.
 */
export function lintConfigText(
  file: string,
  text: string,
  config: DetectConfig = DEFAULT_CONFIG,
): { ok: true; file: LintedFile } | { ok: false; problem: LintProblem } {
  const r = recogniseText(file, text);
  if (r.kind === 'broken') return { ok: false, problem: { file, line: r.line ?? null, column: r.column ?? null, message: r.error } };
  if (r.kind === 'other') return { ok: false, problem: { file, line: null, column: null, message: `not a training config tblens lint knows (${r.reason})` } };
  return { ok: true, file: { file, format: r.doc.format, findings: lintDocument(r.doc, config), lines: r.doc.lines } };
}

const CONFIG_EXT = new Set(['.toml', '.json', '.safetensors', '.yml', '.yaml']);
const SKIP_DIRS = new Set(['node_modules', '.git', '__pycache__', '.venv', 'venv']);
const MAX_DEPTH = 8;
const MAX_CONFIG_BYTES = 16_000_000;

/**
 * Lints files and directories. Each input is recognised by content; directories are walked (up to
 * 8 levels, skipping node_modules/.git/venv) for .toml/.json/.yml/.safetensors files, and what is
 * not a config there is listed as skipped. One unreadable or broken file does not stop the others.
 */
export async function lintConfig(paths: string[], options: { config?: DetectConfig } = {}): Promise<LintReport> {
  const config = options.config ?? DEFAULT_CONFIG;
  const report: LintReport = { files: [], problems: [], skipped: [], counts: { error: 0, warning: 0, notice: 0 } };
  const visit = async (path: string, explicit: boolean, depth: number): Promise<void> => {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (e) {
      report.problems.push({ file: path, line: null, column: null, message: ioMessage(e) });
      return;
    }
    if (isDirectory) {
      if (depth > MAX_DEPTH) return void report.skipped.push({ file: path, reason: `deeper than ${MAX_DEPTH} levels` });
      const listing = await listDirectory(path);
      if (!listing.ok) return void report.problems.push({ file: path, line: null, column: null, message: listing.error });
      for (const f of listing.files.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (CONFIG_EXT.has(extname(f.name).toLowerCase())) await visit(f.path, false, depth + 1);
      }
      for (const d of listing.subdirs.sort()) if (!SKIP_DIRS.has(basename(d))) await visit(d, false, depth + 1);
      return;
    }
    const result = await lintPath(path, config);
    if (result.kind === 'file') report.files.push(result.file);
    else if (result.kind === 'problem') report.problems.push(result.problem);
    else if (explicit) report.problems.push({ file: path, line: null, column: null, message: `not a training config tblens lint knows (${result.reason})` });
    else report.skipped.push({ file: path, reason: result.reason });
  };
  for (const p of paths) await visit(p, true, 0);
  for (const f of report.files) for (const x of f.findings) report.counts[x.severity]++;
  return report;
}

type PathResult = { kind: 'file'; file: LintedFile } | { kind: 'problem'; problem: LintProblem } | { kind: 'other'; reason: string };

async function lintPath(path: string, config: DetectConfig): Promise<PathResult> {
  const doc = await readDocument(path);
  if (doc.kind !== 'config') return doc;
  await countFor(doc.doc);
  return { kind: 'file', file: { file: path, format: doc.doc.format, findings: lintDocument(doc.doc, config), lines: doc.doc.lines } };
}

async function readDocument(
  path: string,
): Promise<{ kind: 'config'; doc: ConfigDocument } | { kind: 'problem'; problem: LintProblem } | { kind: 'other'; reason: string }> {
  const problem = (message: string, line: number | null = null, column: number | null = null) => ({
    kind: 'problem' as const,
    problem: { file: path, line, column, message },
  });
  if (extname(path).toLowerCase() === '.safetensors') {
    let handle;
    try {
      handle = await open(path, 'r');
      const header = await readSafetensorsHeader(handle, path, (await handle.stat()).size);
      if (!header.ok) return problem(header.error.replace(`${path}: `, ''));
      if (!Object.keys(header.header.metadata).some((k) => k.startsWith('ss_')))
        return { kind: 'other', reason: 'a .safetensors file without kohya ss_* metadata' };
      return { kind: 'config', doc: metadataDocument(path, header.header.metadata) };
    } catch (e) {
      return problem(ioMessage(e));
    } finally {
      await handle?.close();
    }
  }
  // Configs are kilobytes; a big .json/.toml in a scanned directory is data, not a config (and is not read).
  const read = await readSmallText(path, MAX_CONFIG_BYTES);
  if (!read.ok && read.reason === 'too-big') return { kind: 'other', reason: `${read.size} bytes, larger than a config (${MAX_CONFIG_BYTES / 1e6} MB limit)` };
  if (!read.ok) return problem(read.reason === 'error' ? ioMessage(read.error) : 'not a regular file');
  const r = recogniseText(path, read.text);
  if (r.kind === 'broken') return problem(r.error, r.line ?? null, r.column ?? null);
  if (r.kind === 'other') return r;
  return { kind: 'config', doc: r.doc };
}

/** Images per epoch for the steps rule: the referenced dataset config's subsets, else train_data_dir. */
async function countFor(doc: ConfigDocument): Promise<void> {
  if (doc.format === 'dataset-toml' || doc.format === 'safetensors-metadata') return;
  const datasetPath = asText(doc.settings.get('dataset_config')?.value);
  if (datasetPath) {
    for (const candidate of [resolve(dirname(doc.file), datasetPath), resolve(datasetPath)]) {
      // Not there (or not a small regular file: the path comes from the config): try the next place, then
      // give up counting (the steps rule stays quiet).
      const read = await readSmallText(candidate, MAX_CONFIG_BYTES);
      if (!read.ok) continue;
      try {
        const toml = readToml(read.text);
        if (toml.ok && isDatasetToml(toml.data)) return countBatchesPerEpoch(doc, datasetDocument(candidate, '', toml).datasets);
      } catch {
        // A file the parser itself chokes on (not a TOML error): no count, as before.
      }
    }
    return;
  }
  await countBatchesPerEpoch(doc);
}

/** What a run carries about its own config, as the lead's diagnose/check integration gives it. */
export interface RunConfigSources {
  /** Run or output directory: `config_lora-*.toml` there (and in its parent) and `hparams.yml` below it are linted. */
  runDir?: string;
  /**
   * More places the kohya_ss GUI may have written `config_lora-<datetime>.toml`: its output_dir, which
   * is where the run's linked LoRA files lie (the logs are in `<project>/log/<ts>/network_train`).
   */
  configDirs?: string[];
  /** A linked LoRA's `__metadata__`, and the file it came from (for the findings' `file`). */
  metadata?: Record<string, string>;
  metadataFile?: string;
  /** The run's kohya --log_config hparams (Run.hparams). */
  hparams?: Record<string, unknown>;
  hparamsSource?: string;
}

/**
 * The lint findings of one run's own config (kind `config`), for diagnose/check: the GUI's TOML
 * beside the run, its hparams.yml, the weights' ss_* metadata and the logged hparams. Files that
 * cannot be read are left out (a run is judged on its logs; lint reports broken configs itself).
 */
export async function lintRunConfig(sources: RunConfigSources, config: DetectConfig = DEFAULT_CONFIG): Promise<LintFinding[]> {
  return (await lintRunConfigSources(sources, config)).findings;
}

/** `lintRunConfig`, plus the sources that were read (so a run with no config at all is "not checked", not "clean"). */
export async function lintRunConfigSources(
  sources: RunConfigSources,
  config: DetectConfig = DEFAULT_CONFIG,
  list: Lister = listDirectory,
): Promise<{ findings: LintFinding[]; read: string[] }> {
  const findings: LintFinding[] = [];
  const read: string[] = [];
  if (sources.runDir || sources.configDirs?.length) {
    for (const file of await runConfigFiles(sources.runDir, sources.configDirs ?? [], list)) {
      const r = await lintPath(file, config);
      if (r.kind === 'file') {
        findings.push(...r.file.findings);
        read.push(file);
      }
    }
  }
  if (sources.metadata && Object.keys(sources.metadata).some((k) => k.startsWith('ss_'))) {
    const file = sources.metadataFile ?? '(metadata)';
    findings.push(...lintDocument(metadataDocument(file, sources.metadata), config));
    read.push(file);
  }
  if (sources.hparams && Object.keys(sources.hparams).length > 0) {
    const file = sources.hparamsSource ?? '(hparams)';
    const entries = Object.entries(sources.hparams).map(([key, value]) => ({ key, value }));
    findings.push(...lintDocument(hparamsDocument(file, entries), config));
    read.push(file);
  }
  return { findings, read };
}

const GUI_TOML = /^config_lora-(\d{8})-(\d{6})\.toml$/;
/** kohya names the log directory `<log_prefix><YYYYMMDDhhmmss>` (local time): the last such segment of the run's path. */
const RUN_STAMP = /(\d{14})$/;
/**
 * The GUI writes its TOML just before it launches sd-scripts, which names the log directory once the
 * dataset is scanned: seconds to minutes later. An hour covers a slow scan of a big dataset; an older
 * TOML in a shared output_dir belongs to an earlier launch.
 */
const GUI_TOML_LEAD_SECONDS = 3600;

/** `YYYYMMDDhhmmss` as seconds on a naive clock (both stamps are the same machine's local time, so no zone is needed). */
function stampSeconds(stamp: string): number {
  const n = (a: number, b: number) => Number(stamp.slice(a, b));
  return Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14)) / 1000;
}

function runStamp(runDir: string | undefined): string | undefined {
  if (!runDir) return undefined;
  for (const segment of resolve(runDir).split(/[\\/]/).reverse()) {
    const m = RUN_STAMP.exec(segment);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * The GUI TOML that belongs to the run among those in one directory: the latest written up to an hour
 * before the run's log directory was named. A directory holding several, with no stamp on the run to
 * choose by, gives none (another launch's settings would be blamed on this run); a single one is taken.
 */
export function pickGuiToml(names: string[], runDir: string | undefined): string | undefined {
  const tomls = names.filter((n) => GUI_TOML.test(n)).sort();
  const stamp = runStamp(runDir);
  if (stamp === undefined) return tomls.length === 1 ? tomls[0] : undefined;
  const at = stampSeconds(stamp);
  let best: string | undefined;
  for (const name of tomls) {
    const m = GUI_TOML.exec(name)!;
    const t = stampSeconds(m[1] + m[2]);
    if (t <= at && at - t <= GUI_TOML_LEAD_SECONDS) best = name;
  }
  return best;
}

async function runConfigFiles(runDir: string | undefined, configDirs: string[], list: Lister): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number, pick: (name: string) => boolean) => {
    const listing = await list(dir);
    if (!listing.ok) return;
    for (const f of listing.files) if (pick(f.name)) out.push(f.path);
    if (depth > 0) for (const d of listing.subdirs) await walk(d, depth - 1, pick);
  };
  // The first of these places that holds the run's TOML wins: beside the run, then its parent, then the output dirs.
  const places = [...(runDir ? [runDir, dirname(resolve(runDir))] : []), ...configDirs];
  for (const dir of [...new Set(places.map((d) => resolve(d)))]) {
    const listing = await list(dir);
    const name = listing.ok
      ? pickGuiToml(
          listing.files.map((f) => f.name),
          runDir,
        )
      : undefined;
    if (listing.ok && name) {
      out.push(listing.files.find((f) => f.name === name)!.path);
      break;
    }
  }
  if (runDir) await walk(runDir, 3, (name) => name === 'hparams.yml' || name === 'hparams.yaml');
  return [...new Set(out)].sort();
}
