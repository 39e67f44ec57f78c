import { basename } from 'node:path';
import type { WeightsSummary } from '../weights/summary.js';

export interface CheckpointRef {
  file: string;
  steps: number | null;
  epoch: number | null;
}

/** Where a run's saved checkpoints (in training order) went bad, and which one to keep. */
export interface CheckpointTimeline {
  files: number;
  /** First file holding NaN/±Inf, and first with every lora_up (or a whole group) still zero. */
  firstNonFinite: CheckpointRef | null;
  firstZero: CheckpointRef | null;
  /** The earlier of the two, and the file saved just before it (null when the first file is broken). */
  firstBroken: CheckpointRef | null;
  lastGood: CheckpointRef | null;
}

function ref(w: WeightsSummary): CheckpointRef {
  return { file: basename(w.path), steps: w.steps ?? null, epoch: w.epoch ?? null };
}

/** Every lora_up zero, or a whole group zero while others trained (a zero text encoder trained at lr 0 is configured, not broken). */
function zeroBroken(w: WeightsSummary, teOff: boolean): boolean {
  if (w.upTensors > 0 && w.zeroUpTensors === w.upTensors) return true;
  const groups = w.groups ?? [];
  return groups.some((g) => g.upTensors > 0 && g.zeroUpTensors === g.upTensors && !(teOff && g.group.startsWith('te')));
}

/**
 * The checkpoints of one run read as a timeline. `weights` must be in training order (the linker
 * sorts by steps, epoch, then the final file after its `-NNNNNN` checkpoints). A later checkpoint
 * that is healthy again does not move `firstBroken`: from there on the user cannot trust the run.
 */
export function checkpointTimeline(weights: WeightsSummary[], teOff = false): CheckpointTimeline {
  let firstNonFinite: number = -1;
  let firstZero: number = -1;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (firstNonFinite < 0 && w.nanElements + w.infElements > 0) firstNonFinite = i;
    if (firstZero < 0 && zeroBroken(w, teOff)) firstZero = i;
  }
  const broken = [firstNonFinite, firstZero].filter((i) => i >= 0);
  const first = broken.length > 0 ? Math.min(...broken) : -1;
  return {
    files: weights.length,
    firstNonFinite: firstNonFinite >= 0 ? ref(weights[firstNonFinite]) : null,
    firstZero: firstZero >= 0 ? ref(weights[firstZero]) : null,
    firstBroken: first >= 0 ? ref(weights[first]) : null,
    lastGood: first > 0 ? ref(weights[first - 1]) : null,
  };
}

/** "gpu1-000003.safetensors (epoch 3, step 600)". */
export function checkpointText(c: CheckpointRef): string {
  const at = [c.epoch !== null ? `epoch ${c.epoch}` : '', c.steps !== null ? `step ${c.steps}` : ''].filter(Boolean).join(', ');
  return at ? `${c.file} (${at})` : c.file;
}
