import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLogdirs } from '../../src/runs/load-logdir.js';
import { seriesFromArrays, type Series } from '../../src/runs/series.js';
import type { Run } from '../../src/runs/types.js';
import type { DiagnosisInput } from '../../src/detect/input.js';
import { linkRunWeights } from '../../src/weights/link-files.js';
import type { WeightsSummary } from '../../src/weights/summary.js';
import { identityFor } from './evaluation.js';

/** Test helpers: load the labelled kohya fixture runs and derive modified copies of real runs. */
export const KOHYA_ROOT = 'fixtures/kohya';
/** The hard cases of issue 10 (fp16 skips, divergence into NaN, a crash, stuck Prodigy, v0.10 validation): fixtures/hard/generate.py. */
export const HARD_ROOT = 'fixtures/hard';
/** Read-only real logs without a licence to copy: tests using them skip when the folder is absent. */
export const WILD_ROOT = '../shared/fixtures/wild';
/** The shared fixture set also holds `sweep-big` (12 more healthy runs) that is not copied into the repo. */
export const SHARED_KOHYA_ROOT = '../shared/fixtures/kohya';
/** Other trainers' layouts and tags (OneTrainer, ai-toolkit incl. its SQLite log, SimpleTuner, diffusers): fixtures/trainers/generate.py. */
export const TRAINERS_ROOT = 'fixtures/trainers';

export interface Labels {
  definitions: Record<string, string>;
  runs: Record<string, { healthy: boolean; expected_findings: { kind: string; first_step: number | null }[]; total_steps: number; optimizer: string }>;
}

export function readLabels(root = KOHYA_ROOT): Labels {
  return JSON.parse(readFileSync(join(root, 'labels.json'), 'utf8')) as Labels;
}

const loaded = new Map<string, Promise<Run[]>>();

export function loadRoot(root: string): Promise<Run[]> {
  let p = loaded.get(root);
  if (!p) {
    p = loadLogdirs([root]).then((r) => {
      if (!r.ok) throw new Error(r.error);
      return r.roots[0].runs;
    });
    loaded.set(root, p);
  }
  return p;
}

/** The run whose name starts with the label key (`explode` → `explode/glypha-explode-…/network_train`). */
export async function fixtureRun(key: string, root = KOHYA_ROOT): Promise<Run> {
  const runs = await loadRoot(root);
  const run = runs.find((r) => r.name === key || r.name.startsWith(`${key}/`));
  if (!run) throw new Error(`no fixture run ${key} under ${root}`);
  return run;
}

/** Label keys whose run exists under the root (the repo copy lacks `sweep-big`). */
export async function presentKeys(filter: (label: Labels['runs'][string]) => boolean, root = KOHYA_ROOT): Promise<string[]> {
  const runs = await loadRoot(root);
  return Object.entries(readLabels(root).runs)
    .filter(([k, l]) => filter(l) && runs.some((r) => r.name === k || r.name.startsWith(`${k}/`)))
    .map(([k]) => k);
}

export function hasShared(root: string): boolean {
  return existsSync(root);
}

export function logsOnly(run: Run): DiagnosisInput {
  return { run, identity: { source: 'none' }, weights: [] };
}

/** A copy of a run with one scalar series replaced (the rest shared). */
export function withSeries(run: Run, series: Series): Run {
  const scalars = new Map(run.scalars);
  scalars.set(series.tag, series);
  return { ...run, scalars };
}

/** A copy of a series with values mapped by index. */
export function mapValues(s: Series, f: (v: number, i: number, step: number) => number): Series {
  const values = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) values[i] = f(s.values[i], i, s.steps[i]);
  return seriesFromArrays(s.tag, s.steps, values, s.wallTimes);
}

/** Deterministic shuffle (mulberry32) so shuffling tests are reproducible. */
export function shuffled(s: Series, seed: number): Series {
  const v = Float64Array.from(s.values);
  let t = seed >>> 0;
  const rand = () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = v.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const x = v[i];
    v[i] = v[j];
    v[j] = x;
  }
  return seriesFromArrays(s.tag, s.steps, v, s.wallTimes);
}

const linked = new Map<string, Promise<Map<string, WeightsSummary[]>>>();

/** The fixture run with its linked LoRA files and the identity from their metadata (as the CLI does). */
export async function fixtureInput(key: string, root = KOHYA_ROOT): Promise<DiagnosisInput> {
  const run = await fixtureRun(key, root);
  let p = linked.get(root);
  if (!p) {
    p = loadRoot(root).then(async (runs) => {
      const links = await linkRunWeights(runs, [root], { norms: false, verifyHash: false });
      return new Map(links.runs.map((l) => [l.run, l.files]));
    });
    linked.set(root, p);
  }
  const weights = (await p).get(run.name) ?? [];
  return { run, identity: identityFor(run, weights), weights };
}

/** A copy of a real run keeping only the points at steps ≡ 0 (mod stride) of every series: the same run logged every `stride` steps. */
export function thinned(run: Run, stride: number): Run {
  const scalars = new Map<string, Series>();
  for (const [tag, s] of run.scalars) {
    const keep: number[] = [];
    for (let i = 0; i < s.length; i++) if (s.steps[i] % stride === 0) keep.push(i);
    const pick = (a: ArrayLike<number>) => Float64Array.from(keep, (i) => a[i]);
    scalars.set(tag, seriesFromArrays(tag, pick(s.steps), pick(s.values), pick(s.wallTimes)));
  }
  return { ...run, scalars };
}
