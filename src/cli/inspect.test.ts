import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';

const kohya = join(import.meta.dirname, '../../fixtures/kohya');
const dir = mkdtempSync(join(tmpdir(), 'tblens-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function inspect(args: string[]): Promise<{ code: number; out: string }> {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.txt`);
  const code = await main(['inspect', ...args, '-o', out]);
  let text = '';
  try {
    text = readFileSync(out, 'utf8');
  } catch {
    // no output written
  }
  return { code, out: text };
}

describe('tblens inspect', () => {
  it('exits 0 on a healthy file and shows metadata, blocks and worst modules', async () => {
    const r = await inspect([join(kohya, 'sweep/prodigy/glypha-prodigy.safetensors')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}ok {10}no NaN\/Inf; 36 of 36 up factors non-zero/m);
    expect(r.out).toMatch(/optimizer {3}Prodigy\(decouple=True,weight_decay=0\.01,d0=1e-06,/);
    expect(r.out).toMatch(/sshs_model_hash matches/);
    expect(r.out).toMatch(/^ {4}te {10}12 +0 +0 +0\/12 /m);
    expect(r.out).toMatch(/worst modules/);
  });

  it('exits 1 when a file holds NaN or Inf, naming the tensors', async () => {
    const r = await inspect([join(kohya, 'inf-weights-fine-loss'), join(kohya, 'sweep/adamw')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/BROKEN {6}±Inf in 15 elements of 3 tensors/);
    expect(r.out).toMatch(/lora_te_text_model_encoder_layers_1_mlp_fc1\.lora_up\.weight/);
    expect(r.out).toMatch(/glypha-adamw\.safetensors\n {2}[\d.]+ KiB, F16, 108 tensors, 36 modules/);
  });

  it('exits 2 when a file is unreadable, still reporting the others', async () => {
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, Buffer.from('not a safetensors file at all'));
    const r = await inspect([bad, join(kohya, 'nan-late/glypha-nan-late.safetensors')]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/UNREADABLE .*bad\.safetensors: header length \d+ bytes \(byte 0\)/);
    expect(r.out).toMatch(/BROKEN {6}NaN in 21,504 elements of 72 tensors/);
  });

  it('writes JSON with NaN spelled as a string and every module', async () => {
    const r = await inspect([join(kohya, 'nan-late/glypha-nan-late.safetensors'), '--format', 'json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    const f = json.files[0];
    expect(f.status).toBe('nonfinite');
    expect(f.summary.nanElements).toBe(21504);
    expect(f.modules).toHaveLength(36);
    expect(f.metadata.ss_optimizer).toMatchObject({ name: 'AdamW', module: 'torch.optim.adamw', args: { weight_decay: 0.01, betas: [0.9, 0.999] } });
    expect(f.metadata.ss_resolution).toEqual([16, 16]);
    expect(f.blocks[0].deltaNormMedian).toBe('NaN');
  });
});

describe('tblens inspect on several files (#14)', () => {
  it('ends with a summary line counting each status, so a broken file is not buried', async () => {
    // fixtures/kohya/labels.json: nan-late (NaN) and inf-weights-fine-loss (±Inf) are the two broken saves of 14.
    const r = await inspect([kohya]);
    expect(r.code).toBe(1);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('14 files: 2 with NaN/Inf, 0 untrained, 0 partly zero, 0 unreadable, 12 ok');
    // One file: its status line says it all, no summary.
    const one = await inspect([join(kohya, 'sweep/adamw/glypha-adamw.safetensors')]);
    expect(one.out).not.toMatch(/^\d+ files?:/m);
  });

  it('counts unreadable files, and --only-problems lists only the files that are not ok', async () => {
    const bad = join(dir, 'broken.safetensors');
    writeFileSync(bad, Buffer.from('not a safetensors file at all'));
    const r = await inspect([bad, join(kohya, 'nan-late'), join(kohya, 'sweep'), '--only-problems']);
    expect(r.code).toBe(2);
    const listed = r.out.split('\n').filter((l) => /^\S.*\.safetensors$/.test(l));
    expect(listed.map((l) => l.split('/').at(-1))).toEqual(['broken.safetensors', 'glypha-nan-late.safetensors']);
    expect(r.out).toMatch(/^4 ok files not shown \(--only-problems\)\n6 files: 1 with NaN\/Inf, 0 untrained, 0 partly zero, 1 unreadable, 4 ok\n$/m);
  });
});
