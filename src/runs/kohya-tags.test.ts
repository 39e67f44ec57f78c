import { describe, expect, it } from 'vitest';
import { epochLossTag, isEpochTag, judgedLossTag, keyNormTag, keysScaledTag, lrTags, validationLossTag } from './kohya-tags.js';

describe('kohya tag knowledge (kohya.md §2)', () => {
  it('judges loss/current (v0.4+), old `loss` (≤ v0.3), then generic training-loss names; never epoch or validation tags', () => {
    expect(judgedLossTag(['loss/average', 'loss/current', 'loss/epoch'])).toEqual({ tag: 'loss/current', flavor: 'kohya' });
    expect(judgedLossTag(['loss', 'lr', 'epoch_loss'])).toEqual({ tag: 'loss', flavor: 'kohya-old' });
    expect(judgedLossTag(['train/loss', 'eval/loss', 'train/learning_rate'])).toEqual({ tag: 'train/loss', flavor: 'generic' });
    expect(judgedLossTag(['train_loss', 'val_loss'])).toEqual({ tag: 'train_loss', flavor: 'generic' });
    expect(judgedLossTag(['epoch_loss', 'val_loss', 'loss/epoch_average'])).toBeNull();
    expect(judgedLossTag(['accuracy', 'my_metric'])).toBeNull();
  });

  it('epoch-indexed tags across versions', () => {
    for (const t of ['loss/epoch', 'loss/epoch_average', 'loss/validation/epoch_average', 'loss/validation/epoch_divergence', 'epoch_loss'])
      expect(isEpochTag(t)).toBe(true);
    for (const t of ['loss/current', 'loss/average', 'loss/validation/step_average', 'lr/unet', 'train/epoch']) expect(isEpochTag(t)).toBe(false);
    expect(epochLossTag(['loss/epoch', 'loss/epoch_average'])).toBe('loss/epoch_average');
    expect(epochLossTag(['loss/current', 'loss/epoch'])).toBe('loss/epoch');
  });

  it('lr groups: trailing spaces trimmed, v0.10 group<i> duplicates hidden when named groups exist, d*lr apart', () => {
    const flux = lrTags([
      'lr/textencoder 1 ',
      'lr/textencoder 2 ',
      'lr/unet',
      'lr/textencoder',
      'lr/group0',
      'lr/group1',
      'lr/group2',
      'lr/d*lr/unet',
      'lr/d*lr/group2',
    ]);
    expect(flux.scheduled.map((g) => g.group)).toEqual(['textencoder', 'textencoder 1', 'textencoder 2', 'unet']);
    expect(flux.scheduled.find((g) => g.group === 'textencoder 1')!.tag).toBe('lr/textencoder 1 ');
    expect(flux.dlr.map((g) => g.tag)).toEqual(['lr/d*lr/unet']);
    expect(flux.hiddenDuplicates).toEqual(['lr/d*lr/group2', 'lr/group0', 'lr/group1', 'lr/group2']);
    // Networks without descriptions only have group<i>: those are the real groups then.
    expect(lrTags(['lr/group0', 'lr/group1']).scheduled.map((g) => g.tag)).toEqual(['lr/group0', 'lr/group1']);
    expect(lrTags(['lr/unet', 'lr/d*lr']).dlr.map((g) => [g.tag, g.group])).toEqual([['lr/d*lr', '']]);
    expect(lrTags(['lr', 'loss']).scheduled.map((g) => g.tag)).toEqual(['lr']);
    expect(lrTags(['lr-SGD', 'train/learning_rate']).scheduled.map((g) => g.tag)).toEqual(['lr-SGD', 'train/learning_rate']);
  });

  it('validation loss: kohya v0.10 epoch axis first, then step axis, then generic names', () => {
    expect(validationLossTag(['loss/validation/step_average', 'loss/validation/epoch_average'])).toEqual({
      tag: 'loss/validation/epoch_average',
      axis: 'epoch',
    });
    expect(validationLossTag(['loss/validation/step_average'])).toEqual({ tag: 'loss/validation/step_average', axis: 'step' });
    expect(validationLossTag(['val_loss', 'loss'])).toEqual({ tag: 'val_loss', axis: 'step' });
    expect(validationLossTag(['loss/current'])).toBeNull();
  });

  it('the LoRA key norm: v0.10 norm/avg_key_norm before v0.6.5–v0.9 max_norm/average_key_norm; keys_scaled; never the grad or combined norm', () => {
    expect(keyNormTag(['max_norm/average_key_norm', 'norm/avg_key_norm'])).toBe('norm/avg_key_norm');
    expect(keyNormTag(['max_norm/keys_scaled', 'max_norm/average_key_norm', 'max_norm/max_key_norm'])).toBe('max_norm/average_key_norm');
    expect(keyNormTag(['norm/avg_grad_norm', 'norm/avg_combined_norm', 'max_norm/max_key_norm'])).toBeNull();
    expect(keysScaledTag(['max_norm/keys_scaled', 'norm/avg_key_norm'])).toBe('max_norm/keys_scaled');
    expect(keysScaledTag(['norm/avg_key_norm'])).toBeNull();
  });
});
