import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findWeightsFiles } from '../weights/find-files.js';
import { discoverRuns } from './discover.js';

const EVENTS = join(import.meta.dirname, '../../fixtures/kohya/no-te/20261129140520/network_train/events.out.tfevents.1795961120.vm.6671.0');
const root = mkdtempSync(join(tmpdir(), 'tblens-discover-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A tree whose walk order matters: symlink loops, a link to a run seen later, many siblings (listed ahead). */
function makeTree(): void {
  for (const run of ['a/x', 'b', ...Array.from({ length: 40 }, (_, i) => `many/r${String(i).padStart(2, '0')}`)]) {
    mkdirSync(join(root, run), { recursive: true });
    copyFileSync(EVENTS, join(root, run, 'events.out.tfevents.1795961120.vm.6671.0'));
    writeFileSync(join(root, run, 'lora.safetensors'), '');
  }
  symlinkSync('..', join(root, 'a', 'x', 'up')); // a loop back to a/
  symlinkSync(join(root, 'b'), join(root, 'a', 'to-b')); // b reached first through a/to-b
}

describe('directory walks (listings fetched ahead, judged in walk order)', () => {
  makeTree();
  it('find every run once, keep the first path in depth-first order, and name each repeat', async () => {
    const r = await discoverRuns(root);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const names = r.runs.map((x) => x.name);
    expect(names).toEqual(['a/to-b', 'a/x', ...Array.from({ length: 40 }, (_, i) => `many/r${String(i).padStart(2, '0')}`)]);
    expect(r.skipped.map((s) => [s.path.slice(root.length + 1), s.reason])).toEqual([
      ['a/x/up', 'symlink loop or repeated directory'],
      ['b', 'symlink loop or repeated directory'],
    ]);
  });
  it('the weights walk finds each .safetensors once by real path', async () => {
    const r = await findWeightsFiles([root]);
    expect(r.files.length).toBe(42);
    expect(new Set(r.files).size).toBe(42);
    expect(r.skipped).toEqual([]);
  });

  it("list weights files in the order the paths were given, each path sorted (not by the machine's folder names)", async () => {
    // CI's checkout sits under /check, a temp dir under /tmp: a global sort put them in different orders there.
    const r = await findWeightsFiles([join(root, 'many', 'r01'), join(root, 'b'), join(root, 'many', 'r00')]);
    const rel = (f: string) => relative(root, f).split(sep).join('/');
    expect(r.files.map(rel)).toEqual(['many/r01/lora.safetensors', 'b/lora.safetensors', 'many/r00/lora.safetensors']);
    const twice = await findWeightsFiles([join(root, 'many'), join(root, 'many', 'r05')]);
    expect(twice.files).toHaveLength(40);
    expect(rel(twice.files[0])).toBe('many/r00/lora.safetensors');
  });
});
