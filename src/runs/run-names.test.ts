import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLogdirs } from './load-logdir.js';
import { displayNames } from './run-names.js';

async function namesFor(paths: string[]): Promise<string[]> {
  const loaded = await loadLogdirs(paths);
  if (!loaded.ok) throw new Error(loaded.error);
  return displayNames(loaded.roots.flatMap((r) => r.runs.map((run) => ({ dir: run.dir, root: r.root }))));
}

describe('displayNames', () => {
  it('gives no names for no runs (it used to loop forever: export --runs matching nothing hung)', () => {
    expect(displayNames([])).toEqual([]);
  });

  it('names the four-optimizer sweep by optimizer', async () => {
    expect((await namesFor(['fixtures/kohya/sweep'])).sort()).toEqual(['adafactor', 'adamw', 'lion', 'prodigy']);
  });

  it('keeps runs from several roots unique and short', async () => {
    const names = await namesFor(['fixtures/kohya/sweep', 'fixtures/kohya/explode', 'fixtures/kohya/nan-late']);
    expect(names.sort()).toEqual(['explode', 'nan-late', 'sweep/adafactor', 'sweep/adamw', 'sweep/lion', 'sweep/prodigy']);
  });

  it('keeps the path down to a root given deeper than the others', async () => {
    const names = await namesFor(['fixtures/kohya/explode', 'fixtures/kohya/sweep/adamw']);
    expect(names).toEqual(['explode', 'sweep/adamw']);
  });

  it('names a single run after its root', async () => {
    expect(await namesFor(['fixtures/kohya/explode'])).toEqual(['explode']);
  });

  it('keeps a nested run apart from its parent', () => {
    const root = resolve('/logs');
    const names = displayNames([
      { dir: join(root, 'run1'), root },
      { dir: join(root, 'run1', 'eval'), root },
      { dir: join(root, 'run2'), root },
    ]);
    expect(names).toEqual(['run1', 'run1/eval', 'run2']);
  });

  it('makes a directory given twice unique', () => {
    const root = resolve('/logs');
    const dir = join(root, 'a');
    expect(
      displayNames([
        { dir, root },
        { dir, root },
        { dir: join(root, 'b'), root },
      ]),
    ).toEqual(['a', 'a (2)', 'b']);
  });
});
