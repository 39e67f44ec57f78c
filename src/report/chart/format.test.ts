import { describe, expect, it } from 'vitest';
import { columnFormat, wallTickLabels } from './format.js';

describe('table and axis text', () => {
  it('one number of decimals per column', () => {
    const loss = columnFormat([0.07566997, 0.0595158, 0.0615725, 0.0514722, null]);
    expect([0.07566997, 0.0595158, 0.1].map(loss)).toEqual(['0.07567', '0.05952', '0.10000']);
    const lr = columnFormat([5.57e-4, 1e-4, 2.5e-5]);
    expect([5.57e-4, 1e-4, 2.5e-5].map(lr)).toEqual(['5.57e-4', '1.00e-4', '2.50e-5']);
    expect(columnFormat([12.5, 3])(3)).toBe('3.000');
    expect(columnFormat([2e5])(2e5)).toBe('2.00e5');
    expect(columnFormat([])(NaN)).toBe('NaN');
  });

  it('wall-time ticks: 24-hour UTC, the date on the first tick and at a day change', () => {
    const t = (iso: string) => Date.parse(iso);
    expect(wallTickLabels([t('2026-12-02T22:00:00Z'), t('2026-12-02T23:00:00Z'), t('2026-12-03T00:00:00Z'), t('2026-12-03T13:00:00Z')])).toEqual([
      'Dec 2 22:00',
      '23:00',
      'Dec 3 00:00',
      '13:00',
    ]);
    expect(wallTickLabels([t('2026-12-02T14:05:00Z'), t('2026-12-02T14:05:30Z')])).toEqual(['Dec 2 14:05:00', '14:05:30']);
  });
});
