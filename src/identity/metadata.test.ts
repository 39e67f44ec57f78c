import { describe, expect, it } from 'vitest';
import { identityFromHParams } from './hparams-identity.js';
import { identityFromMetadata, parseMetadata } from './metadata.js';
import { optimizerArg, parseOptimizer } from './optimizer.js';
import { parseMetadataValue, parsePythonLiteral } from './python-literal.js';

describe('Python str() values', () => {
  it('parses the literals kohya writes', () => {
    expect(parseMetadataValue('None')).toBeNull();
    expect(parseMetadataValue('True')).toBe(true);
    expect(parseMetadataValue('False')).toBe(false);
    expect(parseMetadataValue('1e-05')).toBe(1e-5);
    expect(parseMetadataValue('16.0')).toBe(16);
    expect(parseMetadataValue('nan')).toBeNaN();
    expect(parseMetadataValue('-inf')).toBe(-Infinity);
    expect(parseMetadataValue('(512, 512)')).toEqual([512, 512]);
    expect(parseMetadataValue('[0.0001]')).toEqual([0.0001]);
    expect(parseMetadataValue("['a', \"b'c\", 'd\\'e']")).toEqual(['a', "b'c", "d'e"]);
    expect(parseMetadataValue("{'x': (1, 2), 'y': None}")).toEqual({ x: [1, 2], y: null });
    expect(parseMetadataValue('{"10_sks glyph": {"n_repeats": 10, "img_count": 20}}')).toEqual({ '10_sks glyph': { n_repeats: 10, img_count: 20 } });
    expect(parseMetadataValue('null')).toBeNull();
    expect(parseMetadataValue('cosine')).toBe('cosine');
    expect(parseMetadataValue('adafactor:0.0001')).toBe('adafactor:0.0001');
    expect(parseMetadataValue('(unknown)')).toBe('(unknown)');
    expect(parsePythonLiteral('((((')).toEqual({ ok: false });
    expect(parsePythonLiteral('('.repeat(5000) + ')'.repeat(5000))).toEqual({ ok: false });
  });

  it('parses ss_optimizer with nested parentheses and unquoted strings', () => {
    const o = parseOptimizer('prodigyopt.prodigy.Prodigy(decouple=True,weight_decay=0.5,betas=(0.9, 0.99),use_bias_correction=False)');
    expect(o.name).toBe('Prodigy');
    expect(o.module).toBe('prodigyopt.prodigy');
    expect(o.args).toEqual({ decouple: true, weight_decay: 0.5, betas: [0.9, 0.99], use_bias_correction: false });
    const plain = parseOptimizer('torch.optim.adamw.AdamW');
    expect([plain.name, plain.module, plain.args]).toEqual(['AdamW', 'torch.optim.adamw', {}]);
    expect(optimizerArg(plain, 'weight_decay')).toBe(0.01);
    const odd = parseOptimizer('my.Opt(mode=fast,sched=cosine(warm=(1, 2)),x=[1, (2, 3)])');
    expect(odd.args).toEqual({ mode: 'fast', sched: 'cosine(warm=(1, 2))', x: [1, [2, 3]] });
    expect(parseOptimizer('prodigyplus.ProdigyPlusScheduleFree').name).toBe('ProdigyPlusScheduleFree');
  });
});

describe('identity', () => {
  const meta = {
    ss_optimizer: 'bitsandbytes.optim.adamw.AdamW8bit(weight_decay=0.1,betas=(0.9, 0.99))',
    ss_learning_rate: '0.0001',
    ss_unet_lr: 'None',
    ss_text_encoder_lr: '[5e-05]',
    ss_lr_scheduler: 'cosine_with_restarts',
    ss_lr_warmup_steps: '0.1',
    ss_batch_size_per_device: '2',
    ss_gradient_accumulation_steps: '4',
    ss_total_batch_size: '8',
    ss_num_epochs: '10',
    ss_num_batches_per_epoch: '120',
    ss_steps: '1200',
    ss_max_train_steps: '1200',
    ss_network_module: 'networks.lora',
    ss_network_dim: '32',
    ss_network_alpha: '16.0',
    ss_mixed_precision: 'bf16',
    ss_seed: '42',
    ss_sd_model_name: 'sd_xl_base_1.0.safetensors',
    ss_output_name: 'char',
    ss_training_started_at: '1700000000.25',
    ss_training_finished_at: '1700003600.5',
    ss_session_id: '98765432109876543210',
    'modelspec.architecture': 'stable-diffusion-xl-v1-base/lora',
    something_else: '(1, 2)',
  };

  it('fills RunIdentity from ss_* metadata', () => {
    const id = identityFromMetadata(meta);
    expect(id).toMatchObject({
      source: 'safetensors',
      learningRate: 1e-4,
      unetLr: null,
      textEncoderLr: 5e-5,
      lrScheduler: 'cosine_with_restarts',
      lrWarmupSteps: 0.1,
      batchSizePerDevice: 2,
      gradientAccumulationSteps: 4,
      totalBatchSize: 8,
      epochs: 10,
      batchesPerEpoch: 120,
      steps: 1200,
      maxTrainSteps: 1200,
      networkModule: 'networks.lora',
      networkDim: 32,
      networkAlpha: 16,
      mixedPrecision: 'bf16',
      seed: 42,
      baseModel: 'sd_xl_base_1.0.safetensors',
      outputName: 'char',
      trainingStartedAt: 1700000000.25,
      trainingFinishedAt: 1700003600.5,
      sessionId: '98765432109876543210',
    });
    expect(id.optimizer).toMatchObject({ name: 'AdamW8bit', args: { weight_decay: 0.1, betas: [0.9, 0.99] } });
  });

  it('reads the batch size from ss_datasets when --dataset_config was used', () => {
    const id = identityFromMetadata({ ss_datasets: '[{"is_dreambooth": true, "batch_size_per_device": 3, "subsets": []}]' });
    expect(id.batchSizePerDevice).toBe(3);
  });

  it('keeps unknown keys as written and parses every ss_ value', () => {
    const p = parseMetadata(meta);
    expect(p.something_else).toBe('(1, 2)');
    expect(p['modelspec.architecture']).toBe('stable-diffusion-xl-v1-base/lora');
    expect(p.ss_text_encoder_lr).toEqual([5e-5]);
    expect(p.ss_unet_lr).toBeNull();
    expect(p.ss_session_id).toBe('98765432109876543210');
  });

  it('fills RunIdentity from kohya --log_config hparams', () => {
    const id = identityFromHParams({
      learning_rate: 0.0002,
      unet_lr: 'None',
      text_encoder_lr: 5e-5,
      train_batch_size: 4,
      optimizer_type: 'AdamW8bit',
      optimizer_args: "['weight_decay=0.1', 'betas=(0.9,0.99)']",
      max_train_steps: 1600,
      gradient_accumulation_steps: 2,
      network_dim: 16,
      network_alpha: '8',
      lr_scheduler: 'cosine',
      lr_warmup_steps: 160,
      mixed_precision: 'fp16',
      seed: 1234,
    });
    expect(id).toMatchObject({
      source: 'hparams',
      learningRate: 2e-4,
      unetLr: null,
      textEncoderLr: 5e-5,
      batchSizePerDevice: 4,
      maxTrainSteps: 1600,
      gradientAccumulationSteps: 2,
      networkDim: 16,
      networkAlpha: 8,
      lrScheduler: 'cosine',
      lrWarmupSteps: 160,
      mixedPrecision: 'fp16',
      seed: 1234,
    });
    expect(id.optimizer).toMatchObject({ name: 'AdamW8bit', args: { weight_decay: 0.1, betas: [0.9, 0.99] } });
    expect(identityFromHParams({ optimizer_type: '', use_8bit_adam: true }).optimizer?.name).toBe('AdamW8bit');
    expect(identityFromHParams({ optimizer_args: ['d_coef=2', 'decouple=True'], optimizer_type: 'Prodigy' }).optimizer?.args).toEqual({
      d_coef: 2,
      decouple: true,
    });
  });
});
