import type { TrainerProfile } from './trainer-profile.js';

/**
 * kohya sd-scripts (train_network.py, sdxl/flux/sd3 scripts, all versions) and musubi-tuner, which
 * logs through the same `generate_step_logs`: `loss/current` + `loss/average` per optimizer step
 * (v0.4+), `loss` + `lr` + `epoch_loss` in ≤ v0.3 (kohya-tags.ts has the version details).
 */
export const KOHYA: TrainerProfile = {
  id: 'kohya',
  name: 'kohya sd-scripts',
  recognise: {
    tagSets: [['loss/current', 'loss/average'], ['loss/current'], ['loss', 'lr', 'epoch_loss']],
    layout: [/(^|\/)network_train$/],
    tagsAmbiguous: false,
    hparamKeys: ['network_module', 'network_dim', 'pretrained_model_name_or_path'],
  },
  roles: {
    loss: ['loss/current', 'loss'],
    lossSmoothed: ['loss/average'],
    epochLoss: ['loss/epoch_average', 'loss/epoch', 'epoch_loss'],
    lr: [/^lr\/(?!d\*lr)/, 'lr'],
    effectiveLr: [/^lr\/d\*lr/],
    validation: ['loss/validation/epoch_average', 'loss/validation/epoch_current', 'loss/validation/step_average', 'loss/validation/step_current'],
    gradNorm: ['norm/avg_grad_norm'],
    epoch: [],
  },
  steps: { unit: 'optimizer-step', repeatsUnderAccumulation: false, logEvery: null, configKey: null },
  stopsAtFirstNaN: false,
  source: 'kohya-ss/sd-scripts train_network.py generate_step_logs, library/train_util.py; kohya-ss/musubi-tuner hv_train_network.py',
};
