import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, mergeConfig } from './config.js';

describe('mergeConfig', () => {
  it('applies a partial override and leaves everything else at its default', () => {
    const r = mergeConfig(DEFAULT_CONFIG, { minPoints: 200, explosion: { zWarn: 8 }, flat: { lrFloor: { adam: 1e-7 } } });
    if (!r.ok) throw new Error(r.error);
    expect(r.config.minPoints).toBe(200);
    expect(r.config.explosion.zWarn).toBe(8);
    expect(r.config.explosion.blockSize).toBe(DEFAULT_CONFIG.explosion.blockSize);
    expect(r.config.flat.lrFloor).toEqual({ ...DEFAULT_CONFIG.flat.lrFloor, adam: 1e-7 });
    expect(DEFAULT_CONFIG.explosion.zWarn).toBe(6);
  });

  it('rejects unknown fields, wrong types and out-of-range values, naming the field', () => {
    expect(mergeConfig(DEFAULT_CONFIG, { explosion: { zwarn: 8 } })).toEqual({
      ok: false,
      field: 'explosion.zwarn',
      error: 'explosion.zwarn: unknown setting',
    });
    expect(mergeConfig(DEFAULT_CONFIG, { explosion: { zWarn: '8' } })).toMatchObject({ ok: false, field: 'explosion.zWarn' });
    expect(mergeConfig(DEFAULT_CONFIG, { explosion: 5 })).toMatchObject({ ok: false, field: 'explosion' });
    expect(mergeConfig(DEFAULT_CONFIG, { flat: { earlyShare: 1.5 } })).toMatchObject({ ok: false, field: 'flat.earlyShare' });
    expect(mergeConfig(DEFAULT_CONFIG, { minPoints: 10.5 })).toMatchObject({ ok: false, field: 'minPoints' });
    expect(mergeConfig(DEFAULT_CONFIG, { outlier: { medianRatio: -1 } })).toMatchObject({ ok: false, field: 'outlier.medianRatio' });
    expect(mergeConfig(DEFAULT_CONFIG, [1])).toMatchObject({ ok: false, field: '(root)' });
  });

  it('flat.keyNormGrowth is a growth factor, not a share: above 1 is accepted, 0 and below are not', () => {
    const r = mergeConfig(DEFAULT_CONFIG, { flat: { keyNormGrowth: 1.5 } });
    if (!r.ok) throw new Error(r.error);
    expect(r.config.flat.keyNormGrowth).toBe(1.5);
    expect(mergeConfig(DEFAULT_CONFIG, { flat: { keyNormGrowth: 0 } })).toMatchObject({ ok: false, field: 'flat.keyNormGrowth' });
    expect(mergeConfig(DEFAULT_CONFIG, { flat: { keyNormGrowht: 1.5 } })).toMatchObject({
      ok: false,
      field: 'flat.keyNormGrowht',
      error: 'flat.keyNormGrowht: unknown setting',
    });
  });

  it('no overrides gives a copy of the defaults', () => {
    const r = mergeConfig(DEFAULT_CONFIG, undefined);
    expect(r).toEqual({ ok: true, config: DEFAULT_CONFIG });
    if (r.ok) expect(r.config).not.toBe(DEFAULT_CONFIG);
  });
});
