import { basename } from 'node:path';
import { readRecordFile } from '../tfrecord/read-file.js';
import { readSmallRecordFile } from '../tfrecord/read-small-file.js';
import { assemblySink, buildRun, compareNames, newFileReport, newRunAssembly, type AssemblyOptions } from './run-assembly.js';
import { SLAB_COLUMN, type Series } from './series.js';
import type { EventFileReport, Run } from './types.js';

export type LoadRunOptions = Pick<AssemblyOptions, 'view' | 'tagFilter'>;

export { compareNames };

/** Reads the event files of one run directory, in name order, into columnar series. */
export async function loadRun(name: string, dir: string, files: string[], options: LoadRunOptions = {}): Promise<Run> {
  const run = newRunAssembly(name, dir, options);
  const reports: EventFileReport[] = [];
  const sorted = [...files].sort((a, b) => compareNames(basename(a), basename(b)));
  for (const path of sorted) {
    const report = newFileReport(dir, path);
    const sink = assemblySink(run, report);
    // Small files whole and at once (see readSmallRecordFile), larger ones streamed in bounded memory.
    const result = readSmallRecordFile(path, sink) ?? (await readRecordFile(path, sink));
    if (result.ok) report.size = result.size;
    else report.error = result.error;
    reports.push(report);
  }
  // The assembly is dropped here, so its columns are handed over rather than copied (a third of a
  // large load's time and its peak memory); columns with much unused capacity are trimmed instead.
  const built = buildRun(run, reports, false);
  // The builders let go of their columns first, so each untrimmed one can be freed as soon as its
  // copy is made (peak: the columns plus one tag's copy, not plus every tag's).
  run.tags.clear();
  for (const [tag, series] of built.scalars) if (wasteful(series)) built.scalars.set(tag, trimmed(series));
  return built;
}

/**
 * Over a quarter unused and more than 1 KB: a small column is cheaper kept than copied. Columns of
 * up to SLAB_COLUMN points share a slab (its size says nothing about theirs) and are never trimmed.
 */
function wasteful(s: Series): boolean {
  if (s.length <= SLAB_COLUMN) return false;
  const capacity = s.steps.buffer.byteLength;
  return capacity * 3 > s.length * 8 * 4 && capacity - s.length * 8 > 1024;
}

function trimmed(s: Series): Series {
  return { tag: s.tag, length: s.length, steps: s.steps.slice(), wallTimes: s.wallTimes.slice(), values: s.values.slice() };
}
