import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { lossView } from './loss-view.js';
import { fmt } from './numbers.js';

/**
 * A per-step loss that never changes (sd = 0, including ≡ 0) cannot come from a model seeing random
 * timesteps: logging or training is broken (a ComfyUI wrapper of sd-scripts logged avr_loss = 0).
 */
export function detectConstantLoss(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const view = lossView(input.run, config.lossTag);
  if (!view) return [];
  const s = view.series;
  let first = NaN;
  let finite = 0;
  for (let i = 0; i < s.length; i++) {
    const x = s.values[i];
    if (!Number.isFinite(x)) continue;
    if (finite === 0) first = x;
    else if (x !== first) return [];
    finite++;
  }
  if (finite < config.constantMinPoints) return [];
  return [
    {
      kind: 'constant_loss',
      severity: 'error',
      run: input.run.name,
      tag: view.tag,
      step: s.steps[0],
      endStep: s.steps[s.length - 1],
      message: `${view.tag} is exactly ${fmt(first)} at all ${finite} finite points (steps ${s.steps[0]}–${s.steps[s.length - 1]}); a real per-step loss varies with the random timestep.`,
      evidence: { value: first, finitePoints: finite, minPoints: config.constantMinPoints },
      advice:
        'Logging or training is broken: check that the loss is computed from the model output (not a detached constant), that the trainer wrapper passes the real loss, and that the dataset is not empty.',
      confidence: 'high',
    },
  ];
}
