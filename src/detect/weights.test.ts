import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WeightsSummary } from '../weights/summary.js';
import { DEFAULT_CONFIG } from './config.js';
import { detectWeights } from './weights.js';
import { fixtureInput, presentKeys } from '../../test/support/detect-fixtures.js';

describe('weights', () => {
  it('nan-late: the saved LoRA holds NaN — an error with the labelled tensor and element counts', async () => {
    const input = await fixtureInput('nan-late');
    const f = detectWeights(input, DEFAULT_CONFIG);
    expect(f.map((x) => [x.kind, x.severity, x.evidence.nanTensors, x.evidence.nanElements])).toEqual([['nan_weights', 'error', 72, 21504]]);
  });

  it('inf-weights-fine-loss: ±Inf in 3 lora_up tensors of the fp16 file — an error that names fp16 overflow', async () => {
    const f = detectWeights(await fixtureInput('inf-weights-fine-loss'), DEFAULT_CONFIG);
    expect(f.map((x) => [x.kind, x.severity, x.evidence.infTensors, x.evidence.infElements])).toEqual([['inf_weights', 'error', 3, 15]]);
    expect(f[0].advice).toMatch(/fp16/);
  });

  it('healthy runs’ files (fp16, bf16, fp32, intermediate saves) give nothing', async () => {
    for (const key of await presentKeys((l) => l.healthy)) {
      const input = await fixtureInput(key);
      expect({ key, f: detectWeights(input, DEFAULT_CONFIG) }).toEqual({ key, f: [] });
    }
  });

  it('every lora_up exactly zero is zero_weights (error); a whole zero group is zero_weight_group (warning)', async () => {
    const input = await fixtureInput('sweep/adamw');
    const w = input.weights[0];
    const zero: WeightsSummary = { ...w, zeroUpTensors: w.upTensors, groups: w.groups?.map((g) => ({ ...g, zeroUpTensors: g.upTensors })) };
    expect(detectWeights({ ...input, weights: [zero] }, DEFAULT_CONFIG).map((x) => [x.kind, x.severity])).toEqual([['zero_weights', 'error']]);
    expect(w.groups && w.groups.length).toBeGreaterThan(1);
    const te = w.groups!.find((g) => g.group.startsWith('te'))!;
    const partial: WeightsSummary = { ...w, zeroUpTensors: te.upTensors, groups: w.groups!.map((g) => (g === te ? { ...g, zeroUpTensors: g.upTensors } : g)) };
    const f = detectWeights({ ...input, weights: [partial] }, DEFAULT_CONFIG);
    expect(f.map((x) => [x.kind, x.severity, x.evidence.zeroGroups])).toEqual([['zero_weight_group', 'warning', te.group]]);
    const teOff = detectWeights({ ...input, identity: { ...input.identity, textEncoderLr: 0 }, weights: [partial] }, DEFAULT_CONFIG);
    expect(teOff.map((x) => [x.kind, x.severity])).toEqual([['zero_weight_group', 'notice']]);
    // Scattered zero modules that fill no group are not a group finding.
    const scattered: WeightsSummary = { ...w, zeroUpTensors: 2 };
    expect(detectWeights({ ...input, weights: [scattered] }, DEFAULT_CONFIG)).toEqual([]);
  });

  it('a file claiming more steps than the log has is a mismatch notice; an earlier checkpoint is not', async () => {
    const input = await fixtureInput('resumed');
    expect(input.weights.map((w) => w.steps)).toEqual([800, 2000]);
    expect(detectWeights(input, DEFAULT_CONFIG)).toEqual([]);
    const later: WeightsSummary = { ...input.weights[1], steps: 3000 };
    expect(detectWeights({ ...input, weights: [later] }, DEFAULT_CONFIG).map((x) => [x.kind, x.severity])).toEqual([['weights_mismatch', 'notice']]);
  });
});

describe('epoch checkpoints as a timeline (fixtures/hard/gui-project: kohya_ss GUI layout, two runs 6 s apart)', () => {
  it('each run gets its own 5 files; gpu1 is broken from its epoch-3 checkpoint on, keep epoch 2', async () => {
    const { HARD_ROOT, readLabels } = await import('../../test/support/detect-fixtures.js');
    const labels = readLabels(HARD_ROOT).runs as Record<
      string,
      { expected_findings: { kind: string; first_bad_checkpoint?: string; last_good_checkpoint?: string }[] }
    >;
    const good = await fixtureInput('gui-project/log/20261201110000', HARD_ROOT);
    expect(good.weights.map((w) => basename(w.path))).toEqual([
      'gpu0-000001.safetensors',
      'gpu0-000002.safetensors',
      'gpu0-000003.safetensors',
      'gpu0-000004.safetensors',
      'gpu0.safetensors',
    ]);
    expect(detectWeights(good, DEFAULT_CONFIG)).toEqual([]);
    const input = await fixtureInput('gui-project/log/20261201110006', HARD_ROOT);
    expect(input.weights.map((w) => basename(w.path))).toEqual([
      'gpu1-000001.safetensors',
      'gpu1-000002.safetensors',
      'gpu1-000003.safetensors',
      'gpu1-000004.safetensors',
      'gpu1.safetensors',
    ]);
    const label = labels['gui-project/log/20261201110006'].expected_findings[0];
    const nan = detectWeights(input, DEFAULT_CONFIG).filter((f) => f.kind === 'nan_weights');
    expect(nan.map((f) => basename(f.file!))).toEqual(['gpu1-000003.safetensors', 'gpu1-000004.safetensors', 'gpu1.safetensors']);
    for (const f of nan) {
      expect(f.evidence.firstBrokenCheckpoint).toBe(label.first_bad_checkpoint);
      expect(f.evidence.lastGoodCheckpoint).toBe(label.last_good_checkpoint);
      expect(f.evidence.lastGoodEpoch).toBe(2);
      expect(f.message).toMatch(
        /broken from gpu1-000003\.safetensors \(epoch 3, step 600\) on \(5 files\); keep gpu1-000002\.safetensors \(epoch 2, step 400\), the last good one\.$/,
      );
      expect(f.advice).toMatch(/^Use gpu1-000002\.safetensors/);
    }
  });
});
