import { basename } from 'node:path';
import { readRecordFile } from '../tfrecord/read-file.js';
import { assemblySink, buildRun, compareNames, newFileReport, newRunAssembly, type AssemblyOptions } from './run-assembly.js';
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
    const result = await readRecordFile(path, assemblySink(run, report));
    if (result.ok) report.size = result.size;
    else report.error = result.error;
    reports.push(report);
  }
  return buildRun(run, reports);
}
