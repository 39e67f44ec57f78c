import { listDirectory, type Lister } from '../io/list-directory.js';
import { readSmallText } from '../io/read-small-text.js';
import { basename, dirname, join } from 'node:path';
import { readJson } from '../lint/read-json.js';
import { readToml } from '../lint/read-toml.js';
import { readYamlMapping } from '../lint/read-yaml.js';
import type { TrainerProfile } from '../runs/profiles/index.js';
import { hparamsProblems, identityFromHParams } from '../identity/hparams-identity.js';
import type { RunIdentity } from '../identity/identity.js';

/**
 * The run identity from the trainer's own config file beside the run (docs/trainers.md, fixtures/README.md):
 * - OneTrainer: `<workspace>/config/<YYYY-MM-DD_HH-MM-SS>.json` for `<workspace>/tensorboard/<prefix><same time>`;
 * - ai-toolkit: `config.yaml` in the job folder `<training_folder>/<job name>` (`config.name` must be the job);
 * - SimpleTuner: `config/config.json|toml|env` in the four folders above `<output_dir>/<logging_dir>/<project>`,
 *   only when its `tracker_project_name` is this run's folder (another job's config would rename this run);
 * - diffusers / accelerate: `hparams.yml` in the run folder or in its float-named `add_hparams` side folders.
 * Each is translated to kohya's hparam names and read by `identityFromHParams`, so the same values are refused.
 */
export type ConfigIdentity =
  | { ok: true; path: string; identity: RunIdentity; problems: string[] }
  /** The file is the run's but does not parse: one line naming it, the run is diagnosed without it. */
  | { ok: false; path: string; line: number | null; error: string };

type Parsed = { ok: true; value: unknown } | { ok: false; line: number | null; error: string };

const SIDE_DIR = /^\d{9,11}(\.\d+)?$/;
const ONETRAINER_TIME = /(\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d)$/;

/** A trainer config is a few KiB: a bigger file of that name is not read whole into memory. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** The file's text; null when absent or not a file; a Parsed error when too big to be a config. */
async function text(path: string): Promise<string | null | Extract<Parsed, { ok: false }>> {
  const r = await readSmallText(path, MAX_CONFIG_BYTES);
  if (r.ok) return r.text;
  return r.reason === 'too-big' ? { ok: false, line: null, error: `larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB, not read` } : null;
}

/** Reads and parses one candidate: null when it is not there. */
async function parsedFile(path: string, parse: (t: string) => Parsed): Promise<Parsed | null> {
  const t = await text(path);
  return t === null || typeof t !== 'string' ? t : parse(t);
}

/** Names of the directories in `dir` (symlinks followed, as run discovery does); none when it cannot be listed. */
async function subdirs(dir: string, list: Lister): Promise<string[]> {
  const listing = await list(dir);
  return listing.ok ? listing.subdirs.map((d) => basename(d)) : [];
}

function parseJson(t: string): Parsed {
  const r = readJson(t);
  return r.ok ? { ok: true, value: r.value } : { ok: false, line: r.pos.line, error: r.error };
}

function parseYaml(t: string): Parsed {
  const r = readYamlMapping(t);
  if (!r.ok) return { ok: false, line: r.pos?.line ?? null, error: `not valid YAML (${r.error})` };
  return { ok: true, value: Object.fromEntries(r.entries.map((e) => [e.key, e.value])) };
}

function parseToml(t: string): Parsed {
  const r = readToml(t);
  return r.ok ? { ok: true, value: r.data } : { ok: false, line: r.pos?.line ?? null, error: r.error };
}

/** SimpleTuner's old `config.env`: `export KEY=value` lines as the shell reads them (quotes stripped, `#` comments). */
function parseEnv(t: string): Parsed {
  // Entries, not assignments: a `__PROTO__=` line must not reach the object's prototype.
  const out: [string, unknown][] = [];
  const lines = t.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) return { ok: false, line: i + 1, error: 'not a KEY=value line' };
    const raw = m[2].trim();
    const quoted = /^(['"])(.*)\1$/.exec(raw);
    const value = quoted ? quoted[2] : raw.replace(/\s+#.*$/, '');
    const n = Number(value);
    out.push([m[1].toLowerCase(), value !== '' && Number.isFinite(n) && !quoted ? n : value]);
  }
  return { ok: true, value: Object.fromEntries(out) };
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A JSON/YAML value as the Python literal `parseOptimizerArgs` reads back. */
function pyLiteral(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return JSON.stringify(v);
  return Array.isArray(v) ? `(${v.map(pyLiteral).join(', ')})` : String(v);
}

function optimizerArgs(params: Record<string, unknown> | undefined, skip: string[] = []): string[] | undefined {
  if (!params) return undefined;
  const items = Object.entries(params)
    .filter(([k, v]) => !skip.includes(k) && v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k}=${pyLiteral(v)}`);
  return items.length > 0 ? items : undefined;
}

/** Drops undefined values, so `k in hparams` tests in identityFromHParams see only what the file wrote. */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** OneTrainer's TrainConfig (`optimizer` is an object whose `optimizer` is the enum name, e.g. `ADAMW`). */
export function oneTrainerHParams(c: Record<string, unknown>): Record<string, unknown> {
  const opt = record(c.optimizer);
  return defined({
    optimizer_type: typeof opt?.optimizer === 'string' ? opt.optimizer : undefined,
    optimizer_args: optimizerArgs(opt, ['optimizer']),
    learning_rate: c.learning_rate,
    lr_scheduler: c.learning_rate_scheduler,
    lr_warmup_steps: c.learning_rate_warmup_steps,
    train_batch_size: c.batch_size,
    gradient_accumulation_steps: c.gradient_accumulation_steps,
    max_train_epochs: c.epochs,
    network_dim: c.lora_rank,
    network_alpha: c.lora_alpha,
    pretrained_model_name_or_path: c.base_model_name,
  });
}

/** ai-toolkit's job YAML: `config.process[0]` holds `train`, `network`, `model`. */
export function aiToolkitHParams(process: Record<string, unknown>): Record<string, unknown> {
  const train = record(process.train) ?? {};
  const network = record(process.network) ?? {};
  const model = record(process.model) ?? {};
  return defined({
    optimizer_type: train.optimizer,
    optimizer_args: optimizerArgs(record(train.optimizer_params)),
    learning_rate: train.lr,
    lr_scheduler: train.lr_scheduler,
    train_batch_size: train.batch_size,
    gradient_accumulation_steps: train.gradient_accumulation_steps,
    max_train_steps: train.steps,
    network_dim: network.linear,
    network_alpha: network.linear_alpha,
    mixed_precision: train.dtype,
    pretrained_model_name_or_path: model.name_or_path,
  });
}

/** SimpleTuner's config.json/toml keys are its CLI flags (`--learning_rate`), with or without the dashes. */
function withoutDashes(c: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k.replace(/^-+/, ''), v]));
}

function found(path: string, hparams: Record<string, unknown>): ConfigIdentity {
  const identity: RunIdentity = { ...identityFromHParams(hparams), source: 'config', configPath: path };
  return { ok: true, path, identity, problems: hparamsProblems(hparams).map((p) => p.replace(/^hparams /, 'config ')) };
}

async function oneTrainer(dir: string): Promise<ConfigIdentity | null> {
  const time = ONETRAINER_TIME.exec(basename(dir))?.[1];
  if (!time || basename(dirname(dir)) !== 'tensorboard') return null;
  const path = join(dirname(dirname(dir)), 'config', `${time}.json`);
  const p = await parsedFile(path, parseJson);
  if (!p) return null;
  if (!p.ok) return { ok: false, path, line: p.line, error: p.error };
  const c = record(p.value);
  if (!c) return null;
  // Same second, another prefix: another run's config.
  if (typeof c.save_filename_prefix === 'string' && basename(dir) !== `${c.save_filename_prefix}${time}`) return null;
  return found(path, oneTrainerHParams(c));
}

async function aiToolkit(dir: string, list: Lister): Promise<ConfigIdentity | null> {
  const job = basename(dir);
  // The UI's SQLite run is the job folder itself; a TensorBoard run is `<log_dir>/<job>`, beside `<training_folder>/<job>`.
  const candidates = [join(dir, 'config.yaml')];
  for (let up = dirname(dirname(dir)), i = 0; i < 2; i++, up = dirname(up)) {
    for (const sub of await subdirs(up, list)) candidates.push(join(up, sub, job, 'config.yaml'));
  }
  for (const path of candidates) {
    const p = await parsedFile(path, parseYaml);
    if (!p) continue;
    if (!p.ok) return { ok: false, path, line: p.line, error: p.error };
    const config = record(record(p.value)?.config);
    const process = Array.isArray(config?.process) ? record(config.process[0]) : undefined;
    if (!config || !process || config.name !== job) continue;
    return found(path, aiToolkitHParams(process));
  }
  return null;
}

async function simpleTuner(dir: string): Promise<ConfigIdentity | null> {
  const project = basename(dir);
  const files: [string, (t: string) => Parsed][] = [
    ['config.json', parseJson],
    ['config.toml', parseToml],
    ['config.env', parseEnv],
  ];
  for (let up = dirname(dir), i = 0; i < 4; i++, up = dirname(up)) {
    for (const [name, parse] of files) {
      // Only SimpleTuner's own `config/` folder: a bare config.json up the tree is any program's.
      const path = join(up, 'config', name);
      const p = await parsedFile(path, parse);
      if (!p) continue;
      if (!p.ok) return { ok: false, path, line: p.line, error: p.error };
      const c = record(p.value);
      if (!c) continue;
      const hparams = withoutDashes(c);
      if (hparams.tracker_project_name !== project) continue;
      return found(path, hparams);
    }
    if (dirname(up) === up) break;
  }
  return null;
}

/** accelerate's TensorBoardTracker writes `hparams.yml` into the run folder or a float-named side folder of it. */
async function accelerateHParams(dir: string, list: Lister): Promise<ConfigIdentity | null> {
  const side = (await subdirs(dir, list)).filter((d) => SIDE_DIR.test(d)).sort();
  for (const path of [join(dir, 'hparams.yml'), ...side.map((d) => join(dir, d, 'hparams.yml'))]) {
    const p = await parsedFile(path, parseYaml);
    if (!p) continue;
    if (!p.ok) return { ok: false, path, line: p.line, error: p.error };
    const c = record(p.value);
    if (c) return found(path, c);
  }
  return null;
}

/** The config file of `dir`'s run as written by `trainer`, or null when there is none (kohya and unknown writers: none is read). */
export async function configIdentity(dir: string, trainer: TrainerProfile['id'], list: Lister = listDirectory): Promise<ConfigIdentity | null> {
  switch (trainer) {
    case 'onetrainer':
      return oneTrainer(dir);
    case 'ai-toolkit':
      return aiToolkit(dir, list);
    case 'simpletuner':
      return (await simpleTuner(dir)) ?? accelerateHParams(dir, list);
    case 'diffusers':
      return accelerateHParams(dir, list);
    default:
      return null;
  }
}

/** One line for a config that does not parse: `<file>:<line>: not valid JSON (…); run identity read without it`. */
export function configProblemLine(c: Extract<ConfigIdentity, { ok: false }>): string {
  return `${c.line === null ? '' : `line ${c.line}: `}${c.error}; the run's identity is read without this config`;
}
