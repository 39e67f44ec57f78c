import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.js';
import { detectNanLoss } from './nan-loss.js';
import { fixtureRun, logsOnly, mapValues, readLabels, withSeries } from '../../test/support/detect-fixtures.js';

const labels = readLabels();

describe('nan_loss', () => {
  it('nan-late: error at the labelled first NaN step, persistent, with the sticky loss/average and the lr jump named', async () => {
    const run = await fixtureRun('nan-late');
    const label = labels.runs['nan-late'].expected_findings.find((e) => e.kind === 'nan_loss')!;
    const [f, ...rest] = detectNanLoss(logsOnly(run), DEFAULT_CONFIG);
    expect(rest).toEqual([]);
    expect(f.severity).toBe('error');
    expect(f.step).toBe(label.first_step);
    expect(f.endStep).toBe(2000);
    expect(f.evidence.endsNonFinite).toBe(true);
    expect(f.evidence.finiteAfterOnset).toBe(0);
    expect(f.evidence.averageFirstNaNStep).toBe(label.first_step);
    expect(f.evidence.nonFiniteShare).toBeCloseTo(0.197, 3);
    expect(f.evidence.lrJumpBeforeOnset).toBeGreaterThan(100);
    expect(f.message).toMatch(/became non-finite at step 1607 and stayed so to the end/);
  });

  it('is silent on a run whose loss stayed finite', async () => {
    for (const key of ['sweep/adamw', 'explode', 'inf-weights-fine-loss', 'resumed']) {
      expect(detectNanLoss(logsOnly(await fixtureRun(key)), DEFAULT_CONFIG)).toEqual([]);
    }
  });

  it('isolated NaN/Inf that finite values follow (fp16 skipped steps) is a warning, not an error', async () => {
    const run = await fixtureRun('sweep/adamw');
    const s = run.scalars.get('loss/current')!;
    const bad = new Set([500, 501, 502, 1700]);
    const f = detectNanLoss(
      logsOnly(
        withSeries(
          run,
          mapValues(s, (v, i) => (bad.has(i) ? (i === 1700 ? Infinity : NaN) : v)),
        ),
      ),
      DEFAULT_CONFIG,
    );
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].step).toBe(s.steps[500]);
    expect(f[0].endStep).toBe(s.steps[1700]);
    expect(f[0].evidence.nan).toBe(3);
    expect(f[0].evidence.posInf).toBe(1);
    expect(f[0].message).toMatch(/fp16 loss-scaler skipped steps/);
  });

  it('an isolated NaN as the LAST point after earlier recovered skips is a warning, not "stayed non-finite"', async () => {
    const run = await fixtureRun('sweep/adamw');
    const s = run.scalars.get('loss/current')!;
    const n = s.length;
    const bad = new Set([400, 1100, 2300, n - 1]);
    const [f, ...rest] = detectNanLoss(
      logsOnly(
        withSeries(
          run,
          mapValues(s, (v, i) => (bad.has(i) ? NaN : v)),
        ),
      ),
      DEFAULT_CONFIG,
    );
    expect(rest).toEqual([]);
    expect(f.severity).toBe('warning');
    expect(f.evidence.endsNonFinite).toBe(true);
    expect(f.evidence.trailingNonFinite).toBe(1);
    expect(f.evidence.persistence).toBe(null);
    expect(f.message).not.toMatch(/stayed so to the end/);
    expect(f.message).toMatch(/the last point is non-finite again/);
  });

  it('the log ending at its first NaN (no finite value after, none interleaved) is an error: the run died there', async () => {
    const run = await fixtureRun('sweep/adamw');
    const s = run.scalars.get('loss/current')!;
    const n = s.length;
    const [f] = detectNanLoss(
      logsOnly(
        withSeries(
          run,
          mapValues(s, (v, i) => (i === n - 1 ? NaN : v)),
        ),
      ),
      DEFAULT_CONFIG,
    );
    expect(f.severity).toBe('error');
    expect(f.evidence.persistence).toBe('ended');
    // Three NaNs in a row at the end after earlier recovered skips: consecutive evidence.
    const [g] = detectNanLoss(
      logsOnly(
        withSeries(
          run,
          mapValues(s, (v, i) => (i === 500 || i >= n - 3 ? NaN : v)),
        ),
      ),
      DEFAULT_CONFIG,
    );
    expect(g.severity).toBe('error');
    expect(g.evidence.persistence).toBe('consecutive');
  });

  it('a NaN as the 5th point of a young (live) run is not "most of the tail"', async () => {
    const run = await fixtureRun('sweep/adamw');
    const s = run.scalars.get('loss/current')!;
    const { seriesFromArrays } = await import('../runs/series.js');
    const young = seriesFromArrays(s.tag, s.steps.slice(0, 5), Float64Array.from([...s.values.slice(0, 4), NaN]), s.wallTimes.slice(0, 5));
    const [f] = detectNanLoss(logsOnly(withSeries(run, young)), DEFAULT_CONFIG);
    expect(f.evidence.persistence).toBe('ended');
    const { isLiveFinding } = await import('./live/alerts.js');
    expect(isLiveFinding(f)).toBe(false);
  });

  it('mostly NaN at the end is an error even if a few finite values come back', async () => {
    const run = await fixtureRun('sweep/adamw');
    const s = run.scalars.get('loss/current')!;
    const n = s.length;
    const f = detectNanLoss(
      logsOnly(
        withSeries(
          run,
          mapValues(s, (v, i) => (i >= n * 0.85 && i % 10 !== 9 ? NaN : v)),
        ),
      ),
      DEFAULT_CONFIG,
    );
    expect(f[0].severity).toBe('error');
    expect(f[0].evidence.endsNonFinite).toBe(false);
  });

  it('a NaN only in loss/average (sticky running total) is not a loss NaN', async () => {
    const run = await fixtureRun('sweep/adamw');
    const avg = run.scalars.get('loss/average')!;
    const f = detectNanLoss(
      logsOnly(
        withSeries(
          run,
          mapValues(avg, (v, i) => (i >= 1000 ? NaN : v)),
        ),
      ),
      DEFAULT_CONFIG,
    );
    expect(f).toEqual([]);
  });

  it('is the same finding when the loss is rescaled', async () => {
    const run = await fixtureRun('nan-late');
    const s = run.scalars.get('loss/current')!;
    const base = detectNanLoss(logsOnly(run), DEFAULT_CONFIG).map((f) => ({ ...f, evidence: { ...f.evidence, lastFiniteValue: null } }));
    const scaled = detectNanLoss(
      logsOnly(
        withSeries(
          run,
          mapValues(s, (v) => v * 30),
        ),
      ),
      DEFAULT_CONFIG,
    ).map((f) => ({ ...f, evidence: { ...f.evidence, lastFiniteValue: null } }));
    expect(scaled).toEqual(base);
  });
});
