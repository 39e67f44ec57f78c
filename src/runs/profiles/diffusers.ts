import type { TrainerProfile } from './trainer-profile.js';

/**
 * huggingface/diffusers example scripts through accelerate's TensorBoard tracker
 * (`<output_dir>/logs/<tracker name>`). train_dreambooth_lora*.py log `loss` and `lr` at every
 * micro-batch at the current global step (a step repeats G times under gradient accumulation);
 * train_text_to_image_lora*.py log `train_loss` (mean over the micro-batches) once per optimizer step.
 */
export const DIFFUSERS: TrainerProfile = {
  id: 'diffusers',
  name: 'diffusers example script',
  recognise: {
    tagSets: [['train_loss'], ['loss', 'lr']],
    layout: [/(^|\/)logs\/(dreambooth-lora[^/]*|text2image-fine-tune|[a-z0-9-]*(dreambooth|text2image|lora)[a-z0-9-]*)$/],
    tagsAmbiguous: true,
    hparamKeys: ['pretrained_model_name_or_path', 'gradient_accumulation_steps'],
  },
  roles: {
    loss: ['loss', 'train_loss'],
    lossSmoothed: [],
    epochLoss: [],
    lr: ['lr'],
    effectiveLr: [],
    validation: [],
    gradNorm: [],
    epoch: [],
  },
  steps: { unit: 'optimizer-step', repeatsUnderAccumulation: true, logEvery: null, configKey: 'gradient_accumulation_steps' },
  stopsAtFirstNaN: false,
  source: 'huggingface/diffusers examples/dreambooth/train_dreambooth_lora.py, examples/text_to_image/train_text_to_image_lora.py',
};
