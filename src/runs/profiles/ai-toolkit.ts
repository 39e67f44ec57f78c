import type { TrainerProfile } from './trainer-profile.js';

/**
 * ostris ai-toolkit (jobs/process/BaseSDTrainProcess.py): `loss` (the loss dict's keys) and `lr` every
 * `logging.log_every` steps into `<log_dir>/<job name>`; its UI logs the same points as `loss/<key>`
 * and `learning_rate` to `<job>/loss_log.db` (toolkit/logging_aitk.py), read by ai-toolkit-db.ts.
 */
export const AI_TOOLKIT: TrainerProfile = {
  id: 'ai-toolkit',
  name: 'ai-toolkit',
  recognise: {
    tagSets: [
      ['loss', 'lr'],
      ['loss/loss', 'learning_rate'],
    ],
    layout: [/(^|\/)loss_log\.db$/],
    tagsAmbiguous: true,
    hparamKeys: [],
  },
  roles: {
    loss: ['loss', 'loss/loss'],
    lossSmoothed: [],
    epochLoss: [],
    lr: ['lr', 'learning_rate'],
    effectiveLr: [],
    validation: [],
    gradNorm: [],
    epoch: [],
  },
  steps: { unit: 'optimizer-step', repeatsUnderAccumulation: false, logEvery: 100, configKey: 'logging.log_every' },
  stopsAtFirstNaN: false,
  source: 'ostris/ai-toolkit jobs/process/BaseSDTrainProcess.py (log_every block), toolkit/logging_aitk.py (UILogger)',
};
