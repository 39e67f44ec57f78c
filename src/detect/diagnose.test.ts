import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.js';
import { diagnoseRun, diagnoseRunDetailed, runStats } from './diagnose.js';
import { compareFindings } from './finding.js';
import { fixtureInput, fixtureRun, loadRoot, logsOnly } from '../../test/support/detect-fixtures.js';

describe('diagnoseRun', () => {
  it('runs every detector and sorts worst first (the shared order)', async () => {
    const f = diagnoseRun(await fixtureInput('nan-late'), DEFAULT_CONFIG);
    expect(f.map((x) => `${x.severity} ${x.kind}`)).toEqual(['error nan_loss', 'error nan_weights', 'notice lr_schedule']);
    expect([...f].sort(compareFindings)).toEqual(f);
  });

  it('every finding is complete: one sentence, evidence with numbers, advice, confidence', async () => {
    for (const run of await loadRoot('fixtures/kohya')) {
      for (const f of diagnoseRun(logsOnly(run))) {
        expect(f.message).toMatch(/^[A-Za-z0-9].*\.$/);
        expect(f.message).not.toMatch(/NaN×|undefined|\[object/);
        expect(f.advice.length).toBeGreaterThan(10);
        expect(Object.keys(f.evidence).length).toBeGreaterThan(0);
        expect(['high', 'medium', 'low']).toContain(f.confidence);
        expect(f.run).toBe(run.name);
      }
    }
  });

  it('lists checks that could not run with the reason', async () => {
    const { checks } = diagnoseRunDetailed(logsOnly(await fixtureRun('sweep/adamw')));
    const skipped = Object.fromEntries(checks.filter((c) => c.skipped).map((c) => [c.kind, c.skipped]));
    expect(skipped.overfitting).toMatch(/no validation-loss tags/);
    expect(skipped.nan_weights).toMatch(/no linked weights file/);
    expect(skipped.explosion).toBeUndefined();
    const empty = diagnoseRunDetailed(logsOnly(await fixtureRun('empty')));
    expect(empty.checks.find((c) => c.kind === 'explosion')?.skipped).toMatch(/no training-loss tag/);
  });
});

describe('runStats', () => {
  it('nan-late: last/min/max of the finite judged loss, NaN count, steps', async () => {
    const run = await fixtureRun('nan-late');
    const s = runStats(run);
    const loss = run.scalars.get('loss/current')!;
    const finite = Array.from(loss.values).filter(Number.isFinite);
    expect(s.lossTag).toBe('loss/current');
    expect(s.lossNaN).toBe(394);
    expect(s.lossInf).toBe(0);
    expect(s.lossLast).toBe(finite[finite.length - 1]);
    expect(s.lossMin).toBe(Math.min(...finite));
    expect(s.lossMax).toBe(Math.max(...finite));
    expect([s.firstStep, s.lastStep]).toEqual([1, 2000]);
    expect(s.lrPeak).toBeCloseTo(0.1, 6);
  });

  it('resumed and damaged runs: restarts, superseded points, damaged records', async () => {
    expect(runStats(await fixtureRun('resumed'))).toMatchObject({ restarts: 4, files: 2 });
    expect(runStats(await fixtureRun('resumed')).supersededPoints).toBeGreaterThan(0);
    expect(runStats(await fixtureRun('corrupt-crc')).damagedRecords).toBe(1);
    expect(runStats(await fixtureRun('empty'))).toMatchObject({ lossTag: null, lossPoints: 0, lastStep: null });
  });
});

describe('scale invariance of the whole diagnosis', () => {
  it('every labelled fixture run gives the same findings (kind, severity, steps, message) with its loss ×0.1 and ×30', async () => {
    const { presentKeys, withSeries, mapValues } = await import('../../test/support/detect-fixtures.js');
    for (const key of await presentKeys(() => true)) {
      const input = await fixtureInput(key);
      const view = (f: ReturnType<typeof diagnoseRun>) => f.map((x) => [x.kind, x.severity, x.step, x.endStep, x.message].join(' | '));
      const base = view(diagnoseRun(input));
      for (const tag of ['loss/current']) {
        const s = input.run.scalars.get(tag);
        if (!s) continue;
        for (const k of [0.1, 30]) {
          // loss/average and loss/epoch scale with it, as they would in a real run.
          let run = withSeries(
            input.run,
            mapValues(s, (v) => v * k),
          );
          for (const other of ['loss/average', 'loss/epoch']) {
            const o = input.run.scalars.get(other);
            if (o)
              run = withSeries(
                run,
                mapValues(o, (v) => v * k),
              );
          }
          expect({ key, k, f: view(diagnoseRun({ ...input, run })) }).toEqual({ key, k, f: base });
        }
      }
    }
  });
});

describe('a run without a recognised loss tag is not judged, never OK', () => {
  async function renamed() {
    const { seriesFromArrays } = await import('../runs/series.js');
    const run = await fixtureRun('explode');
    const s = run.scalars.get('loss/current')!;
    const scalars = new Map([...run.scalars].filter(([t]) => t !== 'loss/current' && t !== 'loss/average'));
    scalars.set('unet/mse', seriesFromArrays('unet/mse', s.steps, s.values, s.wallTimes));
    return { ...run, scalars };
  }

  it('the exploding run logged under an unknown tag: a no_loss warning naming the tags seen; with lossTag set, the explosion', async () => {
    const run = await renamed();
    const f = diagnoseRun(logsOnly(run), DEFAULT_CONFIG);
    const noLoss = f.filter((x) => x.kind === 'no_loss');
    expect(noLoss).toHaveLength(1);
    expect(noLoss[0].severity).toBe('warning');
    expect(noLoss[0].message).toMatch(/^not judged: no loss tag found; tags seen: .*unet\/mse.*; set `lossTag` in the config\.$/);
    const configured = diagnoseRun(logsOnly(run), { ...DEFAULT_CONFIG, lossTag: 'unet/mse' });
    expect(configured.map((x) => x.kind)).toContain('explosion');
    expect(configured.map((x) => x.kind)).not.toContain('no_loss');
  });

  it('the text verdict says NOT JUDGED, not "✓ OK, N checks passed"', async () => {
    const { runSummary } = await import('../cli/watch-summary.js');
    const run = await renamed();
    const { text } = await runSummary(run, { source: 'none' }, [], DEFAULT_CONFIG, false);
    expect(text).toMatch(/\? NOT JUDGED .* no loss tag found/);
    expect(text).not.toMatch(/✓ OK/);
  });
});
