import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { FollowedRun } from '../runs/follow/follow-run.js';
import { newTreeCache, scanTree, type TreeCache } from '../runs/follow/tree-cache.js';
import { metadataProblems } from '../identity/metadata.js';
import { isWeightsFileName } from '../weights/find-files.js';
import { linkWeights } from '../weights/link.js';
import { readWeightsSummary } from '../weights/read-summary.js';
import type { WeightsSummary } from '../weights/summary.js';

interface Candidate {
  size: number;
  mtimeMs: number;
  /** Read once its size and time were the same on two scans in a row (the trainer finished writing it). */
  summary?: WeightsSummary;
  error?: string;
}

/** LoRA files under the log directory and `--weights` paths, read once each is complete, linked to runs. */
export interface WeightsTracker {
  /** `--weights` directories (each with its own tree cache) and files. */
  extra: { path: string; tree: TreeCache }[];
  files: Map<string, Candidate>;
}

export function newWeightsTracker(extra: string[]): WeightsTracker {
  return { extra: extra.map((path) => ({ path, tree: newTreeCache() })), files: new Map() };
}

export interface WeightsScan {
  /** Files read for the first time (or re-read after changing) in this scan. */
  read: string[];
  problems: string[];
}

/**
 * One pass over the candidates (those under the log directory come from the follower's tree scan):
 * note changes, read the files that stopped changing. A stat per candidate when nothing changed.
 */
export async function scanWeights(t: WeightsTracker, underLogdir: string[]): Promise<WeightsScan> {
  const out: WeightsScan = { read: [], problems: [] };
  const found = new Set(underLogdir);
  for (const e of t.extra) {
    if (isWeightsFileName(e.path)) found.add(e.path);
    else {
      const scan = scanTree(e.tree, e.path);
      if (scan.ok) for (const w of scan.weights) found.add(w);
    }
  }
  for (const path of [...t.files.keys()]) if (!found.has(path)) t.files.delete(path);
  for (const path of found) {
    let info;
    try {
      info = statSync(path);
    } catch {
      continue;
    }
    const known = t.files.get(path);
    if (!known || known.size !== info.size || known.mtimeMs !== info.mtimeMs) {
      t.files.set(path, { size: info.size, mtimeMs: info.mtimeMs });
      continue;
    }
    if (known.summary || known.error) continue;
    const read = await readWeightsSummary(path, { verifyHash: false });
    if (read.ok) {
      known.summary = read.summary;
      out.read.push(path);
      for (const p of metadataProblems(read.summary.metadata)) out.problems.push(`${path}: ${p}`);
    } else {
      known.error = read.error;
      out.problems.push(read.error);
    }
  }
  return out;
}

/** The complete weights files linked to each run (by training start time, directory and name). */
export function linkedWeights(t: WeightsTracker, runs: FollowedRun[]): Map<FollowedRun, WeightsSummary[]> {
  const summaries = [...t.files.values()].flatMap((c) => (c.summary ? [c.summary] : []));
  const out = new Map<FollowedRun, WeightsSummary[]>();
  if (summaries.length === 0) return out;
  const linkable = runs.map((r) => ({ name: r.name, dir: r.dir, files: r.files.map((f) => ({ path: f.path, firstWallTime: f.report.firstWallTime })) }));
  const links = linkWeights(linkable, summaries);
  links.runs.forEach((l, i) => {
    if (l.files.length > 0) out.set(runs[i], l.files);
  });
  return out;
}

/** kohya names epoch saves `<name>-000004.safetensors` and step saves `<name>-step00001000.safetensors`. */
export function isFinalSave(path: string): boolean {
  return !/-(\d{6}|step\d+)\.safetensors$/i.test(basename(path));
}

/** The final save's modification time (ms), when one is linked. */
export function finalSaveTime(t: WeightsTracker, weights: WeightsSummary[]): number | null {
  let latest: number | null = null;
  for (const w of weights) {
    if (!isFinalSave(w.path)) continue;
    const c = t.files.get(w.path);
    if (c && (latest === null || c.mtimeMs > latest)) latest = c.mtimeMs;
  }
  return latest;
}
