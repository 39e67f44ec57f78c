import type { Severity } from '../detect/finding.js';
import type { LintRuleId } from './finding.js';

export interface LintRuleInfo {
  id: LintRuleId;
  title: string;
  /** What the rule checks and why it matters (SARIF fullDescription, README table). */
  description: string;
  /** What to do about it in general (SARIF help). */
  help: string;
  /** The most severe level the rule gives, and when. */
  severity: string;
  defaultLevel: Severity;
  source: string;
}

/** Every lint rule, as SARIF's rule list and the README's table describe them. */
export const LINT_RULES: LintRuleInfo[] = [
  {
    id: 'weight_decay_high',
    title: 'Weight decay far above the optimizer family’s usual range',
    description:
      'weight_decay in optimizer_args above the family’s threshold (AdamW 0.5, Lion 3, Prodigy/DAdapt 0.1). Decoupled decay shrinks the weights by lr·wd every step; too much leaves a run looking untrained after thousands of steps.',
    help: 'Use the family’s usual value: AdamW 0.01–0.1, Lion 3–10× AdamW’s, Prodigy/DAdapt with decouple=True about 0.01.',
    severity: 'warning; error when the decay budget wd·Σlr reaches 5 (e^-5 of early progress survives)',
    defaultLevel: 'warning',
    source: 'the article (3,000 steps looking untrained); lion-pytorch README; Prodigy README',
  },
  {
    id: 'adaptive_lr',
    title: 'DAdaptation/Prodigy with a learning rate far from 1',
    description:
      'DAdapt*/Prodigy estimate the step size d themselves and multiply it by the learning rate, so lr should be ≈ 1.0; sd-scripts warns at lr ≤ 0.1.',
    help: 'Set learning_rate (and unet_lr/text_encoder_lr) to 1.0; tune Prodigy with d_coef instead.',
    severity: 'warning',
    defaultLevel: 'warning',
    source: 'sd-scripts train_util.py get_optimizer; Prodigy README',
  },
  {
    id: 'adaptive_several_lrs',
    title: 'DAdaptation/Prodigy with different learning rates per part',
    description: 'With several distinct learning rates, sd-scripts warns that only the first one takes effect (the text encoder’s when it is trained).',
    help: 'Give every part the same lr (1.0), or train one part only.',
    severity: 'warning',
    defaultLevel: 'warning',
    source: 'sd-scripts train_util.py get_optimizer',
  },
  {
    id: 'adafactor_relative_step',
    title: 'Adafactor with relative_step=True and a schedule of its own',
    description:
      'With relative_step=True (the default) Adafactor computes its own lr: sd-scripts replaces the scheduler with adafactor:<lr>, so a given lr_scheduler and warmup are ignored and learning_rate is only the initial value.',
    help: 'Either drop the scheduler (lr_scheduler = "adafactor"), or pass relative_step=False scale_parameter=False with lr_scheduler constant_with_warmup.',
    severity: 'warning (scheduler/warmup ignored); notice for the max_grad_norm / clip_threshold advice',
    defaultLevel: 'warning',
    source: 'sd-scripts train_util.py get_optimizer (Adafactor branch); transformers Adafactor',
  },
  {
    id: 'lion_lr',
    title: 'Lion at an AdamW-sized learning rate',
    description: 'Lion’s sign updates are larger than Adam’s: its lr should be 3–10× smaller than AdamW’s (≈ 1e-5…3e-5 for LoRA).',
    help: 'Divide the AdamW lr by 3–10 and raise weight_decay by the same factor.',
    severity: 'warning',
    defaultLevel: 'warning',
    source: 'lucidrains/lion-pytorch README; the article',
  },
  {
    id: 'lion_batch',
    title: 'Lion at batch size 1',
    description: 'Lion needs about 4× AdamW’s batch size for a similar result; at one sample per step its sign update follows the noise of each sample.',
    help: 'Raise train_batch_size (or gradient_accumulation_steps) to 4 or more.',
    severity: 'warning',
    defaultLevel: 'warning',
    source: 'the article (after LyCORIS’s author)',
  },
  {
    id: 'warmup_too_long',
    title: 'Warmup as long as the run',
    description: 'lr_warmup_steps (steps, a ratio < 1, or the GUI’s lr_warmup percentage) reaching the length of the run: the lr never reaches its value.',
    help: 'Use a warmup of 0–10 % of the steps.',
    severity: 'warning',
    defaultLevel: 'warning',
    source: 'bmaltais/kohya_ss #1394, #735',
  },
  {
    id: 'alpha_over_dim',
    title: 'network_alpha above network_dim',
    description: 'The LoRA update is scaled by alpha/dim; alpha above dim multiplies every update (reports of NaN with large alpha).',
    help: 'Use alpha ≈ dim/2 or alpha = dim (kohya’s docs), and retune the lr if alpha changes.',
    severity: 'warning',
    defaultLevel: 'warning',
    source: 'sd-scripts docs/train_network.md; bmaltais/kohya_ss #1758',
  },
  {
    id: 'sdxl_fp16_vae',
    title: 'SDXL in fp16 without no_half_vae',
    description: 'SDXL’s VAE overflows in fp16: NaN latents, black images (cached latents stop the run with "NaN detected in latents").',
    help: 'Add no_half_vae (GUI: "No half VAE"), or train in bf16, or use an fp16-fixed VAE.',
    severity: 'warning (a checkpoint with an fp16-fixed VAE baked in does work)',
    defaultLevel: 'warning',
    source: 'sd-scripts docs/train_network_advanced.md; sd-scripts #952',
  },
  {
    id: 'optimizer_args_syntax',
    title: 'optimizer_args sd-scripts cannot parse',
    description:
      'sd-scripts splits each item at "=" and reads the value with ast.literal_eval: a stray comma makes a tuple ("\'>\' not supported between \'tuple\' and \'int\'"), an item without "=" or a lowercase true stops the run.',
    help: 'Write items as key=value separated by spaces (GUI) or as a TOML list of strings, with Python literals: decouple=True weight_decay=0.01 betas=0.9,0.99.',
    severity: 'error',
    defaultLevel: 'error',
    source: 'sd-scripts train_util.py get_optimizer; bmaltais/kohya_ss #3052',
  },
  {
    id: 'lr_not_positive',
    title: 'No trained part has a positive learning rate',
    description: 'Every trained part (U-Net, text encoder) gets lr 0, or a learning rate is negative: nothing trains, or the optimizer refuses.',
    help: 'Give the trained part a positive lr; freeze a part with network_train_unet_only or text_encoder_lr = 0 instead.',
    severity: 'error',
    defaultLevel: 'error',
    source: 'sd-scripts train_network.py / networks/lora.py (groups with lr 0 are dropped); kohya_ss lora_gui.py ("Please input learning rate values")',
  },
  {
    id: 'steps_mismatch',
    title: 'Steps that disagree with epochs × repeats × images / batch',
    description:
      'max_train_steps and the epochs given beside it describe different runs (sd-scripts lets max_train_epochs win; the GUI lets max_train_steps win over epoch).',
    help: 'Give either epochs or steps; the article recommends epochs (e.g. 10 full passes).',
    severity: 'warning; notice when both are given but the images could not be counted',
    defaultLevel: 'warning',
    source: 'sd-scripts train_util.py / train_network.py (steps from epochs); the article',
  },
  {
    id: 'unknown_key',
    title: 'A key the trainer does not know',
    description:
      'sd-scripts ignores a --config_file key it has no argument for (so the default stays in force) and its dataset schema refuses unknown keys; the GUI drops unknown keys when it loads a config.',
    help: 'Fix the spelling (the nearest known key is suggested).',
    severity: 'warning',
    defaultLevel: 'warning',
    source: 'sd-scripts train_util.py read_config_from_file, config_util.py ConfigSanitizer; kohya_ss presets',
  },
];

export function ruleInfo(id: LintRuleId): LintRuleInfo {
  return LINT_RULES.find((r) => r.id === id)!;
}
