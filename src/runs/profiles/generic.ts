import type { TrainerProfile } from './trainer-profile.js';

/**
 * Any other writer: only the exact generic training-loss shapes (HF Trainer `train/loss`, Lightning
 * `train_loss`, tensorboardX `data/loss`, TF `loss`) are judged; a detector tuned on diffusion loss
 * must not judge an arbitrary metric.
 */
export const GENERIC: TrainerProfile = {
  id: 'generic',
  name: 'unknown writer',
  recognise: { tagSets: [], layout: [], tagsAmbiguous: true, hparamKeys: [] },
  roles: {
    loss: [/^(?:(?:train|training|data)[/_])?loss(?:[/_](?:train|step))?$/i],
    lossSmoothed: [],
    epochLoss: ['epoch_loss'],
    lr: [/^(?:lr|learning_rate|train\/learning_rate|lr[-_/].+)$/i],
    effectiveLr: [],
    validation: [/^(?:val|valid|validation|eval)[/_]loss$/i],
    gradNorm: [/^(?:train\/)?grad_norm$/i],
    epoch: [/^(?:train\/)?epoch$/],
  },
  steps: { unit: 'optimizer-step', repeatsUnderAccumulation: false, logEvery: null, configKey: null },
  stopsAtFirstNaN: false,
  source: 'generic fallback',
};
