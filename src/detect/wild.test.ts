// The real kohya logs (and the other real logs) in ../shared/fixtures/wild. They have no licence to
// copy, so they are read in place and the test skips where that folder is absent (a clean CI checkout).
// Completed healthy runs must get no error (and no warning); aborted ones are reported for what they
// are: `empty` (died before step 1) or `incomplete` (stopped inside an epoch).
import { describe, expect, it } from 'vitest';
import { diagnoseRun } from './diagnose.js';
import type { Finding } from './finding.js';
import { hasShared, loadRoot, logsOnly, WILD_ROOT } from '../../test/support/detect-fixtures.js';
import { isKohyaStepLog } from '../runs/kohya-tags.js';

function line(name: string, f: Finding[]): string {
  return `${name}: ${f.map((x) => `${x.severity} ${x.kind}${x.step !== null ? `@${x.step}` : ''}`).join(', ') || '—'}`;
}

describe.skipIf(!hasShared(WILD_ROOT))('real logs in shared/fixtures/wild', () => {
  it('kohya runs: completed ones get no error or warning; aborted ones are empty or incomplete', async () => {
    const runs = (await loadRoot(WILD_ROOT)).filter((r) => r.name.startsWith('kohya-'));
    const files = runs.reduce((a, r) => a + r.files.length, 0);
    expect(files).toBe(22);
    const out: string[] = [];
    let completed = 0;
    let aborted = 0;
    for (const run of runs) {
      const f = diagnoseRun(logsOnly(run));
      out.push(line(run.name, f));
      expect(f.filter((x) => x.severity === 'error')).toEqual([]);
      const loss = run.scalars.get('loss/current');
      const epoch = run.scalars.get('loss/epoch') ?? run.scalars.get('loss/epoch_average');
      const finished = loss !== undefined && epoch !== undefined && epoch.wallTimes[epoch.length - 1] >= loss.wallTimes[loss.length - 1];
      if (finished) {
        completed++;
        expect({ run: run.name, f: f.filter((x) => x.severity !== 'notice') }).toEqual({ run: run.name, f: [] });
      } else {
        aborted++;
        const kinds = f.map((x) => x.kind);
        if (!loss) expect(kinds).toEqual(['empty']);
        else {
          expect(isKohyaStepLog(run.scalars.keys())).toBe(true);
          expect(kinds).toContain('incomplete');
        }
      }
    }
    console.log(`${completed} completed, ${aborted} aborted kohya runs\n${out.join('\n')}`);
    expect(completed).toBe(13);
    expect(aborted).toBe(8);
  });

  it('no real log of any writer gets an error; every run is diagnosed without throwing', async () => {
    const out: string[] = [];
    for (const run of await loadRoot(WILD_ROOT)) {
      const f = diagnoseRun(logsOnly(run));
      if (f.length > 0 && !run.name.startsWith('kohya-')) out.push(line(run.name, f));
      expect({ run: run.name, errors: f.filter((x) => x.severity === 'error').map((x) => x.message) }).toEqual({ run: run.name, errors: [] });
    }
    console.log(out.join('\n'));
  });
});
