import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blockOf } from './blocks.js';
import { craftSafetensors, f32Bytes } from '../../test/support/craft-safetensors.js';
import { classifyKey } from './keys.js';
import { readWeightsSummary } from './read-summary.js';

const dir = mkdtempSync(join(tmpdir(), 'tblens-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic pseudo-random values (LCG), so a failure reproduces. */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

/** ‖U·D‖_F by forming the product: the slow definition the Gram route must equal. */
function bruteNorm(up: number[], out: number, rank: number, down: number[], cols: number): number {
  let s = 0;
  for (let i = 0; i < out; i++) {
    for (let j = 0; j < cols; j++) {
      let x = 0;
      for (let k = 0; k < rank; k++) x += up[i * rank + k] * down[k * cols + j];
      s += x * x;
    }
  }
  return Math.sqrt(s);
}

describe('module norms', () => {
  it('‖up·down‖·alpha/rank from Gram matrices equals the product formed explicitly (linear and conv)', async () => {
    const cases = [
      { m: 'lora_unet_mid_block_attentions_0_proj_out', out: 7, rank: 3, downShape: [3, 5], alpha: 1.5 },
      { m: 'lora_unet_down_blocks_1_resnets_0_conv1', out: 6, rank: 4, downShape: [4, 2, 3, 3], alpha: 0 },
      { m: 'lora_te1_text_model_encoder_layers_3_mlp_fc1', out: 9, rank: 5, downShape: [5, 11], alpha: 2 },
    ];
    const tensors = cases.flatMap((c, i) => {
      const cols = c.downShape.slice(1).reduce((a, b) => a * b, 1);
      const upShape = c.downShape.length === 4 ? [c.out, c.rank, 1, 1] : [c.out, c.rank];
      return [
        { name: `${c.m}.alpha`, dtype: 'F32' as const, shape: [], data: f32Bytes([c.alpha]) },
        { name: `${c.m}.lora_down.weight`, dtype: 'F32' as const, shape: c.downShape, data: f32Bytes(values(c.rank * cols, 2 * i + 1)) },
        { name: `${c.m}.lora_up.weight`, dtype: 'F32' as const, shape: upShape, data: f32Bytes(values(c.out * c.rank, 2 * i + 2)) },
      ];
    });
    const path = join(dir, 'norms.safetensors');
    writeFileSync(path, craftSafetensors(tensors));
    const r = await readWeightsSummary(path);
    if (!r.ok) throw new Error(r.error);
    cases.forEach((c, i) => {
      const cols = c.downShape.slice(1).reduce((a, b) => a * b, 1);
      const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));
      const expected = bruteNorm(f32(values(c.out * c.rank, 2 * i + 2)), c.out, c.rank, f32(values(c.rank * cols, 2 * i + 1)), cols);
      const m = r.details.modules.find((x) => x.name === c.m)!;
      const alpha = c.alpha === 0 ? c.rank : c.alpha; // kohya: alpha 0 means alpha = rank
      expect(m.rank).toBe(c.rank);
      expect(m.scale).toBeCloseTo(alpha / c.rank, 12);
      expect(m.deltaNorm).toBeCloseTo((expected * alpha) / c.rank, 9);
      expect(m.conv).toBe(c.downShape.length === 4);
    });
  });

  it('skips norms over the auto budget and says so; computes them when asked', async () => {
    const path = join(dir, 'norms.safetensors'); // written by the test above: work = 3·(2·5+2·7) + … multiply-adds
    const auto = await readWeightsSummary(path, { normBudget: 10 });
    if (!auto.ok) throw new Error(auto.error);
    for (const m of auto.details.modules) {
      expect(m.deltaNorm).toBeUndefined();
      expect(m.normNote).toMatch(/skipped: .* multiply-adds at rank 5/);
    }
    const forced = await readWeightsSummary(path, { normBudget: 10, norms: true });
    if (!forced.ok) throw new Error(forced.error);
    expect(forced.details.modules.every((m) => m.deltaNorm! > 0)).toBe(true);
  });

  it('recognises LyCORIS families by key names, without norms', async () => {
    const t = (name: string, n = 4) => ({ name, dtype: 'F32' as const, shape: [2, n / 2], data: f32Bytes(new Array(n).fill(0)) });
    const path = join(dir, 'lyco.safetensors');
    writeFileSync(
      path,
      craftSafetensors([
        t('lora_unet_mid_block_attentions_0_proj_in.hada_w1_a'),
        t('lora_unet_mid_block_attentions_0_proj_in.hada_w1_b'),
        t('lora_unet_mid_block_attentions_0_proj_in.hada_w2_a'),
        t('lora_unet_mid_block_attentions_0_proj_in.hada_w2_b'),
        { name: 'lora_unet_mid_block_attentions_0_proj_in.alpha', dtype: 'F32', shape: [], data: f32Bytes([4]) },
        t('lora_unet_up_blocks_0_attentions_0_proj_in.lokr_w1'),
        t('lora_unet_up_blocks_0_attentions_0_proj_in.lokr_w2_a'),
        t('lora_unet_up_blocks_0_attentions_0_proj_in.lokr_w2_b'),
        t('oft_unet_down_blocks_0_attentions_0_proj_in.oft_blocks'),
      ]),
    );
    const r = await readWeightsSummary(path);
    if (!r.ok) throw new Error(r.error);
    const fam = Object.fromEntries(r.details.modules.map((m) => [m.name, m.family]));
    expect(fam).toEqual({
      oft_unet_down_blocks_0_attentions_0_proj_in: 'oft',
      lora_unet_mid_block_attentions_0_proj_in: 'loha',
      lora_unet_up_blocks_0_attentions_0_proj_in: 'lokr',
    });
    for (const m of r.details.modules) {
      expect(m.deltaNorm).toBeUndefined();
      expect(m.normNote).toMatch(/not computed/);
      expect(m.upZero).toBe(true); // all-zero fallback for non-LoRA families
    }
    expect(r.details.modules.find((m) => m.family === 'loha')!.alpha).toBe(4);
    expect([r.summary.upTensors, r.summary.zeroUpTensors]).toEqual([3, 3]);
  });

  it('names blocks for SD1, SDXL, Flux and text encoders', () => {
    const b = (n: string) => blockOf(n);
    expect(b('lora_te_text_model_encoder_layers_0_mlp_fc1')).toEqual({ block: 'te', group: 'te' });
    expect(b('lora_te2_text_model_encoder_layers_0_mlp_fc1')).toEqual({ block: 'te2', group: 'te2' });
    expect(b('lora_unet_down_blocks_2_attentions_1_proj_in')).toEqual({ block: 'down.2', group: 'down' });
    expect(b('lora_unet_mid_block_attentions_0_proj_in')).toEqual({ block: 'mid', group: 'mid' });
    expect(b('lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q')).toEqual({ block: 'input.4', group: 'down' });
    expect(b('lora_unet_middle_block_1_proj_in')).toEqual({ block: 'middle', group: 'mid' });
    expect(b('lora_unet_output_blocks_11_1_proj_out')).toEqual({ block: 'output.11', group: 'up' });
    expect(b('lora_unet_double_blocks_7_img_attn_qkv')).toEqual({ block: 'double.7', group: 'double' });
    expect(b('lora_unet_single_blocks_30_linear1')).toEqual({ block: 'single.30', group: 'single' });
    expect(b('lora_unet_conv_in')).toEqual({ block: 'unet', group: 'unet' });
  });

  it('splits keys into module and part', () => {
    expect(classifyKey('lora_te_x.lora_down.weight')).toMatchObject({ module: 'lora_te_x', role: 'down', family: 'lora' });
    expect(classifyKey('lora_te_x.alpha')).toMatchObject({ module: 'lora_te_x', role: 'alpha' });
    expect(classifyKey('lora_unet_x.lokr_w2_b')).toMatchObject({ module: 'lora_unet_x', family: 'lokr' });
    expect(classifyKey('unet.down.0.lora_B.weight')).toMatchObject({ module: 'unet.down.0', role: 'up' });
  });
});
