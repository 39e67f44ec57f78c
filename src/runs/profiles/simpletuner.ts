import type { TrainerProfile } from './trainer-profile.js';

/** SimpleTuner through accelerate's TensorBoard tracker: `<output_dir>/<logging_dir>/<tracker_project_name>`. */
export const SIMPLETUNER: TrainerProfile = {
  id: 'simpletuner',
  name: 'SimpleTuner',
  recognise: {
    tagSets: [['train_loss', 'learning_rate'], ['optimization_loss'], ['diffusion_loss']],
    layout: [],
    tagsAmbiguous: false,
    hparamKeys: ['model_family', 'tracker_project_name'],
  },
  roles: {
    loss: ['train_loss', 'optimization_loss'],
    lossSmoothed: [],
    epochLoss: [],
    lr: ['learning_rate'],
    effectiveLr: ['prodigy_effective_lr'],
    validation: [/^loss\/val\//],
    gradNorm: ['grad_norm', 'grad_absmax'],
    epoch: ['epoch'],
  },
  steps: { unit: 'optimizer-step', repeatsUnderAccumulation: false, logEvery: null, configKey: null },
  stopsAtFirstNaN: false,
  source: 'bghira/SimpleTuner helpers/training/trainer.py (accelerator.log of train_loss, learning_rate, epoch, grad_norm)',
};
