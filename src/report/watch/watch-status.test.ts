import { describe, expect, it } from 'vitest';
import { paint } from '../color.js';
import { durationText, progressLine, redrawBlock, statusLine, trendText, type RunStatus } from './watch-status.js';

const base: RunStatus = {
  name: 'sweep/adamw-lr1e-4',
  phase: 'active',
  progress: {
    step: 1234,
    maxSteps: 3000,
    lossTag: 'loss/average',
    lossRecent: 0.0612,
    lossBefore: 0.0665,
    stepsPerSecond: 2.5,
    etaSeconds: 706.4,
    lossNonFinite: false,
  },
  alerts: [],
  quietSeconds: 1,
};

describe('watch status line', () => {
  it('shows step of total, trend, ETA, and alerts', () => {
    expect(progressLine(base)).toBe('sweep/adamw-lr1e-4: step 1234/3000 41%, loss/average 0.0612 ↓8%, ETA 11m46s');
    const alerted = { ...base, alerts: [{ kind: 'explosion', severity: 'error' as const }] };
    expect(progressLine(alerted)).toContain('1 alert: explosion');
    expect(progressLine({ ...base, progress: { ...base.progress, maxSteps: null, etaSeconds: null } })).toBe(
      'sweep/adamw-lr1e-4: step 1234, loss/average 0.0612 ↓8%, 2.5 steps/s',
    );
    expect(progressLine({ ...base, phase: 'quiet', quietSeconds: 95 })).toContain('quiet 1m35s');
  });

  it('fits the terminal width so the block can be redrawn in place', () => {
    const line = statusLine(base, 12, 40, paint(false));
    expect(line.length).toBeLessThanOrEqual(39);
    expect(line.startsWith('sweep/adamw…')).toBe(true);
    expect(redrawBlock(2, ['a', 'b'])).toBe('\u001b[2F\u001b[0Ja\nb\n');
    expect(redrawBlock(0, ['a'])).toBe('\u001b[0Ja\n');
  });

  it('formats durations and trends', () => {
    expect(durationText(59.6)).toBe('1m00s');
    expect(durationText(3 * 3600 + 65)).toBe('3h01m');
    expect(trendText({ ...base.progress, lossBefore: 0.0612 })).toBe('0.0612 →0%');
    expect(trendText({ ...base.progress, lossNonFinite: true })).toBe('NaN');
  });
});
