import type { EventFileReport, Run } from '../runs/types.js';
import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { fmt } from './numbers.js';

export interface ConcurrentPair {
  earlier: EventFileReport;
  later: EventFileReport;
  /** Seconds both files were being written. */
  overlap: number;
}

/**
 * Files of one run whose wall-time ranges overlap: two processes wrote at once (multi-GPU logging
 * from every rank, or two launches into one directory). A resume writes after the crash, so its
 * range does not overlap. Files without wall times cannot be judged.
 */
export function concurrentPairs(run: Run): ConcurrentPair[] {
  const files = run.files.filter((f) => Number.isFinite(f.firstWallTime) && Number.isFinite(f.lastWallTime) && f.lastWallTime > f.firstWallTime);
  const pairs: ConcurrentPair[] = [];
  for (let i = 0; i < files.length; i++) {
    for (let j = i + 1; j < files.length; j++) {
      const a = files[i];
      const b = files[j];
      const overlap = Math.min(a.lastWallTime, b.lastWallTime) - Math.max(a.firstWallTime, b.firstWallTime);
      if (overlap > 0) pairs.push({ earlier: a, later: b, overlap });
    }
  }
  return pairs;
}

export function detectConcurrentWriters(input: DiagnosisInput, _config: DetectConfig): Finding[] {
  return concurrentPairs(input.run).map((p) => {
    const regressions = input.run.restarts.filter((r) => r.file === p.later.path);
    const superseded = regressions.reduce((a, r) => a + r.superseded, 0);
    return {
      kind: 'concurrent_writers' as const,
      severity: 'notice' as const,
      run: input.run.name,
      tag: null,
      step: null,
      endStep: null,
      message:
        `${p.earlier.name} and ${p.later.name} were written at the same time (${fmt(p.overlap)} s of overlapping wall time): two processes logged this run; ` +
        (superseded > 0
          ? `the later file's values replace ${superseded} point(s) of the earlier one at the same steps, as in TensorBoard.`
          : 'their points are merged per tag in file-name order.'),
      evidence: { overlapSeconds: Math.round(p.overlap), earlierFile: p.earlier.name, laterFile: p.later.name, superseded, regressions: regressions.length },
      advice: 'Log from the main process only (accelerate does this unless the script logs on every rank), or give each launch its own log directory.',
      confidence: 'high',
      file: p.later.path,
    };
  });
}
