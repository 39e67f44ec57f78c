// Worker threads run compiled JavaScript only, so the worker path is tested on dist/ (built by
// `npm install` / `npm run build`): loading on workers must give exactly what loading on the
// calling thread gives, in the same order. From TypeScript sources, loading stays in-thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { discoverRuns } from './discover.js';
import { loadLogdirs } from './load-logdir.js';
import { workersAvailable } from './load-worker.js';

const compiled = (name: string) => new URL(`../../dist/src/runs/${name}.js`, import.meta.url);
const built = existsSync(fileURLToPath(compiled('load-worker')));

describe('worker threads', () => {
  it('are not used from TypeScript sources, and asking for them changes nothing', async () => {
    expect(workersAvailable()).toBe(false);
    const one = await loadLogdirs(['fixtures/kohya'], { threads: 1 });
    const many = await loadLogdirs(['fixtures/kohya'], { threads: 4 });
    expect(isDeepStrictEqual(many, one)).toBe(true);
  });

  it.skipIf(!built)('compiled: workers give the same runs as the calling thread, in the same order', async () => {
    const { loadRunsInWorkers, workersAvailable: compiledAvailable } = await import(compiled('load-worker').href);
    const { loadRun } = await import(compiled('load-run').href);
    expect(compiledAvailable()).toBe(true);
    const found = await discoverRuns('fixtures');
    if (!found.ok) throw new Error(found.error);
    expect(found.runs.length).toBeGreaterThan(20);
    for (const options of [{}, { view: 'raw', tagFilter: /^(loss|train)/ }]) {
      const inThread = [];
      for (const loc of found.runs) inThread.push(await loadRun(loc.name, loc.dir, loc.files, options));
      const onWorkers = await loadRunsInWorkers(found.runs, options, 3);
      expect(onWorkers.map((r: { name: string }) => r.name)).toEqual(inThread.map((r) => r.name));
      // node's deep equality is exact (typed array contents, Map order, NaN) and far faster than a diffing matcher.
      if (!isDeepStrictEqual(onWorkers, inThread)) expect(onWorkers).toEqual(inThread);
    }
  });
});
