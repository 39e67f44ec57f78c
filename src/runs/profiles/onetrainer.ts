import type { TrainerProfile } from './trainer-profile.js';

/**
 * OneTrainer (modules/trainer/GenericTrainer.py): `<workspace>/tensorboard/<prefix><date>`; the global
 * step counts every batch (micro-batches under gradient accumulation) from 0; a NaN loss raises, so the
 * log ends at the step before.
 */
export const ONETRAINER: TrainerProfile = {
  id: 'onetrainer',
  name: 'OneTrainer',
  recognise: {
    tagSets: [['loss/train_step'], ['smooth_loss/train_step']],
    layout: [/(^|\/)tensorboard\/[^/]*\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d$/],
    tagsAmbiguous: false,
    hparamKeys: [],
  },
  roles: {
    loss: ['loss/train_step'],
    lossSmoothed: ['smooth_loss/train_step'],
    epochLoss: [],
    lr: [/^lr\//],
    effectiveLr: [],
    validation: ['loss/validation_step/total_average', /^loss\/validation_step\//],
    gradNorm: [],
    epoch: [],
  },
  steps: { unit: 'micro-batch', repeatsUnderAccumulation: false, logEvery: null, configKey: 'gradient_accumulation_steps' },
  stopsAtFirstNaN: true,
  source: 'Nerogar/OneTrainer modules/trainer/GenericTrainer.py (SummaryWriter l.80, loss/train_step l.803, smooth_loss l.812, lr l.820, next_step l.835)',
};
