import type { RunIdentity } from '../identity/identity.js';
import type { Run } from '../runs/types.js';
import type { WeightsSummary } from '../weights/summary.js';
import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';

/** Everything a detector may look at for one run: the log, who the run is, and its linked LoRA files. */
export interface DiagnosisInput {
  run: Run;
  identity: RunIdentity;
  weights: WeightsSummary[];
}

/** Every detector has this shape: pure, no I/O, findings in any order (diagnoseRun sorts). */
export type Detector = (input: DiagnosisInput, config: DetectConfig) => Finding[];

/** The identity to use when no metadata is known. */
export const NO_IDENTITY: RunIdentity = { source: 'none' };
