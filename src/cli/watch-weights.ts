import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { FollowedRun } from '../runs/follow/follow-run.js';
import { findWeightsFiles } from '../runs/weights/find-files.js';
import { linkWeights } from '../runs/weights/link.js';
import { readWeightsSummary } from '../runs/weights/read-summary.js';
import type { WeightsSummary } from '../runs/weights/summary.js';

interface Candidate {
  size: number;
  mtimeMs: number;
  /** Read once its size and time were the same on two scans in a row (the trainer finished writing it). */
  summary?: WeightsSummary;
  error?: string;
}

/** LoRA files under the log directory and `--weights` dirs, read once each is complete, linked to runs. */
export interface WeightsTracker {
  paths: string[];
  files: Map<string, Candidate>;
}

export function newWeightsTracker(paths: string[]): WeightsTracker {
  return { paths, files: new Map() };
}

export interface WeightsScan {
  /** Files read for the first time (or re-read after changing) in this scan. */
  read: string[];
  problems: string[];
}

/** One pass: find candidates, note changes, read those that stopped changing. Cheap when nothing changed. */
export async function scanWeights(t: WeightsTracker): Promise<WeightsScan> {
  const out: WeightsScan = { read: [], problems: [] };
  const found = await findWeightsFiles(t.paths);
  const present = new Set(found.files);
  for (const path of [...t.files.keys()]) if (!present.has(path)) t.files.delete(path);
  for (const path of found.files) {
    let info;
    try {
      info = await stat(path);
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
