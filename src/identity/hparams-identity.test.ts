import { describe, expect, it } from 'vitest';
import { hparamsProblems, identityFromHParams } from './hparams-identity.js';

describe('hparams that cannot be a batch size or learning rate', () => {
  it('are left out of the identity and said, one line each', () => {
    for (const bad of [0, -4, 1e-300, 2.5, '0', 'nan']) {
      const h = { train_batch_size: bad, learning_rate: 1e-4 };
      expect(identityFromHParams(h).batchSizePerDevice, String(bad)).toBeUndefined();
      expect(hparamsProblems(h), String(bad)).toEqual([expect.stringMatching(/^hparams train_batch_size = .* is not a whole number ≥ 1 \(ignored\)$/)]);
    }
    const nanLr = { learning_rate: 'nan', train_batch_size: 4, gradient_accumulation_steps: 0 };
    const id = identityFromHParams(nanLr);
    expect(id.learningRate).toBeUndefined();
    expect(id.batchSizePerDevice).toBe(4);
    expect(id.gradientAccumulationSteps).toBeUndefined();
    expect(hparamsProblems(nanLr)).toEqual([
      'hparams learning_rate = NaN is not a finite number ≥ 0 (ignored)',
      'hparams gradient_accumulation_steps = 0 is not a whole number ≥ 1 (ignored)',
    ]);
  });

  it('keeps good values and None as before', () => {
    const h = { train_batch_size: '2', learning_rate: 0.0001, unet_lr: 'None', max_train_steps: 1200 };
    expect(identityFromHParams(h)).toMatchObject({ batchSizePerDevice: 2, learningRate: 0.0001, unetLr: null, maxTrainSteps: 1200 });
    expect(hparamsProblems(h)).toEqual([]);
  });
});

describe('hparams of SimpleTuner and the diffusers scripts', () => {
  it("read `optimizer`, `lora_rank`/`rank` and `lora_alpha` (kohya's names win when both are there)", () => {
    expect(identityFromHParams({ optimizer: 'prodigy', lora_rank: 16, lora_alpha: 8 })).toMatchObject({
      optimizer: { name: 'prodigy' },
      networkDim: 16,
      networkAlpha: 8,
    });
    expect(identityFromHParams({ rank: 4 }).networkDim).toBe(4);
    expect(identityFromHParams({ optimizer_type: 'Lion', optimizer: 'x', network_dim: 32, lora_rank: 8 })).toMatchObject({
      optimizer: { name: 'Lion' },
      networkDim: 32,
    });
    expect(hparamsProblems({ lora_rank: 0 })).toEqual(['hparams lora_rank = 0 is not a whole number ≥ 1 (ignored)']);
  });

  it('the diffusers scripts without --optimizer: AdamW, or AdamW8bit with --use_8bit_adam; nothing when the flag was not logged', () => {
    expect(identityFromHParams({ use_8bit_adam: false }).optimizer?.name).toBe('AdamW');
    expect(identityFromHParams({ use_8bit_adam: true }).optimizer?.name).toBe('AdamW8bit');
    expect(identityFromHParams({ learning_rate: 1e-4 }).optimizer).toBeUndefined();
  });
});
