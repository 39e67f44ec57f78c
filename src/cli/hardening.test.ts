import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { cli, PLAIN } from '../../test/support/cli.js';
import { craftSafetensors, f16Bytes, toHalfBits } from '../../test/support/craft-safetensors.js';
import { watch } from './watch-loop.js';

const ADAMW = 'fixtures/kohya/sweep/adamw';
const tmp = mkdtempSync(join(tmpdir(), 'tblens-harden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const NO_COLOR = { ...PLAIN, NO_COLOR: '1' };

function lora(metadata: Record<string, string>): Uint8Array {
  const one = f16Bytes([toHalfBits(0.5)]);
  return craftSafetensors(
    [
      { name: 'lora_unet_mid_block_attn.lora_up.weight', dtype: 'F16', shape: [1, 1], data: one },
      { name: 'lora_unet_mid_block_attn.lora_down.weight', dtype: 'F16', shape: [1, 1], data: one },
    ],
    metadata,
  );
}

/** Watches `logdir` for a few polls (`during` runs after the first) and returns what it printed. */
async function watchText(logdir: string, polls: number, during?: () => void): Promise<string> {
  let text = '';
  const controller = new AbortController();
  let seen = 0;
  await watch(
    { logdir, intervalMs: 50, fsHint: false },
    {
      signal: controller.signal,
      output: { write: (t) => void (text += t) },
      onPoll: () => {
        seen++;
        if (seen === 1) during?.();
        if (seen >= polls) controller.abort();
      },
    },
  );
  return text;
}

describe('issue 9.1: a LoRA with an invalid training time', () => {
  const dir = join(tmp, 'bad-times');
  cpSync(ADAMW, dir, { recursive: true });
  writeFileSync(join(dir, 'bad-nan.safetensors'), lora({ ss_training_started_at: 'nan', ss_output_name: 'bad-nan' }));
  writeFileSync(join(dir, 'bad-big.safetensors'), lora({ ss_training_started_at: '1e20', ss_training_finished_at: 'inf', ss_output_name: 'bad-big' }));
  const nanLine = /bad-nan\.safetensors: ss_training_started_at "nan" is not a valid time \(ignored\)/;
  const bigLine = /bad-big\.safetensors: ss_training_started_at "1e20" is not a valid time \(ignored\)/;

  it('diagnose and check report it in one line per key and go on with the run', async () => {
    const d = await cli(['diagnose', dir], NO_COLOR);
    expect(d.stderr).not.toMatch(/internal error|RangeError/);
    expect(d.code).toBe(0);
    expect(d.stderr).toMatch(nanLine);
    expect(d.stderr).toMatch(bigLine);
    expect(d.stderr).toMatch(/bad-big\.safetensors: ss_training_finished_at "inf" is not a valid time/);
    expect(d.stdout).toMatch(/glypha-adamw/);
    for (const format of ['sarif', 'junit', 'github', 'json']) {
      const c = await cli(['check', dir, '--format', format], NO_COLOR);
      expect(c.code, format).toBe(0);
      expect(c.stdout.length, format).toBeGreaterThan(0);
      if (format === 'sarif' || format === 'json') expect(() => JSON.parse(c.stdout)).not.toThrow();
    }
  });

  it('compare and inspect go on too; inspect shows the warning beside the file', async () => {
    const c = await cli(['compare', dir, '--format', 'markdown'], NO_COLOR);
    expect(c.code).toBe(0);
    expect(c.stderr).toMatch(nanLine);
    const i = await cli(['inspect', join(dir, 'bad-big.safetensors'), join(dir, 'bad-nan.safetensors')], NO_COLOR);
    expect(i.code).toBe(0);
    expect(i.stdout).toMatch(/warning +.*bad-big\.safetensors: ss_training_started_at "1e20" is not a valid time/);
    const j = await cli(['inspect', join(dir, 'bad-big.safetensors'), '--format', 'json'], NO_COLOR);
    expect(JSON.parse(j.stdout).files[0].warnings[0]).toMatch(/ss_training_started_at "1e20"/);
  });

  it('watch keeps watching and says it once', async () => {
    const text = await watchText(dir, 4);
    expect(text).toMatch(/weights: .*bad-big\.safetensors: ss_training_started_at "1e20" is not a valid time/);
    expect(text).toMatch(/^stopped after/m);
  });
});

/** Nothing that could drive a terminal or a CI log: no control or bidi characters, no line starting a workflow command. */
function expectSafe(text: string, what: string): void {
  // eslint-disable-next-line no-control-regex -- control characters are what this assertion looks for
  expect(text, what).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  expect(text, what).not.toMatch(/^\s*::/m);
}

describe.skipIf(process.platform === 'win32')('issue 9.2: hostile names and metadata reach no terminal raw', () => {
  const HOSTILE = 'x\n::error title=pwn::owned\x1b]0;pwn\x07\x1b[2J\u202ez';
  const logdir = join(tmp, 'hostile');
  const runDir = join(logdir, HOSTILE);
  mkdirSync(logdir);
  cpSync(join(ADAMW, 'glypha-adamw-20261129140106'), runDir, { recursive: true });
  const eventDir = join(runDir, 'network_train');
  const eventFile = join(eventDir, readdirSync(eventDir)[0]);
  // Garbage after the last record: a damage line that names the hostile path.
  appendFileSync(eventFile, Buffer.from('0123456789abcdef0123456789abcdef'));
  const weights = join(logdir, `${HOSTILE}.safetensors`);
  writeFileSync(weights, lora({ ss_output_name: HOSTILE, ss_optimizer: HOSTILE, ss_lr_scheduler: HOSTILE, [HOSTILE]: HOSTILE }));
  const unreadable = join(logdir, `${HOSTILE}-broken.safetensors`);
  writeFileSync(unreadable, Buffer.from('not a safetensors file at all, \x1b[2J'));

  it('export and compare stderr lines', async () => {
    const e = await cli(['export', logdir, '-o', join(tmp, 'hostile.csv')], NO_COLOR);
    expect(e.code).toBe(0);
    expect(e.stderr).toMatch(/::error title=pwn::owned/);
    expectSafe(e.stderr, 'export stderr');
    const c = await cli(['compare', logdir, '--format', 'markdown'], NO_COLOR);
    expect(c.stderr).toMatch(/::error title=pwn::owned/);
    expectSafe(c.stderr, 'compare stderr');
  });

  it('diagnose and check: stdout text and stderr', async () => {
    for (const argv of [
      ['diagnose', logdir],
      ['check', logdir, '--format', 'text'],
    ]) {
      const r = await cli(argv, NO_COLOR);
      expect(r.stderr, argv[0]).toMatch(/::error title=pwn::owned/);
      expectSafe(r.stdout, `${argv[0]} stdout`);
      expectSafe(r.stderr, `${argv[0]} stderr`);
    }
  });

  it('diagnose and check wrapped to a narrow terminal: no break lets a name start a line (#14)', async () => {
    for (const columns of ['20', '33', '60']) {
      for (const argv of [
        ['diagnose', logdir, '--verbose'],
        ['check', logdir, '--format', 'text', '--verbose'],
      ]) {
        const r = await cli(argv, { ...NO_COLOR, COLUMNS: columns });
        expect(r.stdout, argv[0]).toMatch(/::error/);
        expectSafe(r.stdout, `${argv[0]} stdout at ${columns} columns`);
      }
    }
  });

  it('inspect: file headers, UNREADABLE lines and every metadata value', async () => {
    const r = await cli(['inspect', weights, unreadable], NO_COLOR);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/UNREADABLE/);
    expect(r.stdout).toMatch(/output +x ::error title=pwn::owned/);
    expectSafe(r.stdout, 'inspect stdout');
    expectSafe(r.stderr, 'inspect stderr');
  });

  it('watch: new run, damage and status lines', async () => {
    const live = join(tmp, 'hostile-live');
    mkdirSync(live);
    const text = await watchText(live, 4, () => cpSync(logdir, live, { recursive: true }));
    expect(text).toMatch(/new run .*::error title=pwn::owned/);
    expectSafe(text, 'watch output');
  });

  it('usage errors name the bad value sanitised', async () => {
    const r = await cli(['export', logdir, '--tags', `(${HOSTILE}`], NO_COLOR);
    expect(r.code).toBe(2);
    expectSafe(r.stderr, 'usage error');
  });
});

describe('issue 9.5: -o never destroys what was there', () => {
  const run = join(tmp, 'atomic');
  cpSync(ADAMW, run, { recursive: true });
  const eventDir = join(run, 'glypha-adamw-20261129140106', 'network_train');
  const eventFile = join(eventDir, readdirSync(eventDir)[0]);

  it('refuses an output that is one of the input files, by any spelling, and leaves it intact', async () => {
    const before = readFileSync(eventFile);
    for (const spelling of [eventFile, join(eventDir, '..', 'network_train', '.', readdirSync(eventDir)[0])]) {
      const r = await cli(['export', run, '-o', spelling], NO_COLOR);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/that is one of the inputs/);
    }
    const weights = join(run, 'glypha-adamw.safetensors');
    expect((await cli(['inspect', weights, '--format', 'json', '-o', weights], NO_COLOR)).code).toBe(2);
    expect((await cli(['check', run, '--format', 'json', '-o', eventFile], NO_COLOR)).code).toBe(2);
    expect((await cli(['compare', run, '-o', eventFile], NO_COLOR)).code).toBe(2);
    expect(readFileSync(eventFile).equals(before)).toBe(true);
  });

  it('replaces the previous file only when complete, leaving no temporary file', async () => {
    const out = join(tmp, 'atomic-out');
    mkdirSync(out);
    const target = join(out, 'series.csv');
    writeFileSync(target, 'previous\n');
    expect((await cli(['export', run, '-o', target], NO_COLOR)).code).toBe(0);
    expect(readFileSync(target, 'utf8')).toMatch(/^run,tag,step,wall_time,value\n/);
    expect(readdirSync(out)).toEqual(['series.csv']);
    expect((await cli(['compare', run, '-o', join(out, 'page.html')], NO_COLOR)).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['page.html', 'series.csv']);
    expect(existsSync(join(out, 'page.html'))).toBe(true);
  });
});

describe('issue 9.11: diagnose and check say on stderr what is damaged', () => {
  it('one line per damage, naming the file and the byte offset', async () => {
    const run = join(tmp, 'damaged');
    cpSync(ADAMW, run, { recursive: true });
    const eventDir = join(run, 'glypha-adamw-20261129140106', 'network_train');
    const eventFile = join(eventDir, readdirSync(eventDir)[0]);
    const size = readFileSync(eventFile).length;
    appendFileSync(eventFile, Buffer.alloc(40, 0x41));
    for (const argv of [
      ['diagnose', run],
      ['check', run, '--format', 'sarif'],
    ]) {
      const r = await cli(argv, NO_COLOR);
      const lines = r.stderr.trimEnd().split('\n');
      expect(
        lines.some((l) => l.startsWith(`tblens: ${eventFile}: `) && l.includes(`byte ${size}`)),
        `${argv[0]}: ${r.stderr}`,
      ).toBe(true);
    }
  });
});

describe('issue 9.8: inspect on many tensors', () => {
  it('text lists the first 10 NaN tensors and says how many more; --all-tensors lists them all', async () => {
    const file = 'fixtures/kohya/nan-late/glypha-nan-late.safetensors';
    const short = await cli(['inspect', file], NO_COLOR);
    expect(short.stdout).toMatch(/tensors holding NaN\/Inf \(72\)/);
    expect(short.stdout).toMatch(/… 62 more not listed \(--all-tensors lists them/);
    const all = await cli(['inspect', file, '--all-tensors'], NO_COLOR);
    expect(all.stdout.split('\n').filter((l) => /^ {4}lora_\S+ +F16\[/.test(l))).toHaveLength(72);
    expect(all.stdout).not.toMatch(/more not listed/);
  });

  it('JSON is written in pieces, the same document as one string, for 4 000 tensors', async () => {
    const { readWeightsSummary } = await import('../weights/read-summary.js');
    const { inspectJson, writeInspectJson } = await import('../report/inspect/inspect-json.js');
    const one = f16Bytes([toHalfBits(0.25)]);
    const tensors = Array.from({ length: 4_000 }, (_, i) => ({
      name: `lora_unet_m${i}.lora_${i % 2 ? 'up' : 'down'}.weight`,
      dtype: 'F16' as const,
      shape: [1, 1],
      data: one,
    }));
    const path = join(tmp, 'many.safetensors');
    writeFileSync(path, craftSafetensors(tensors, { ss_output_name: '"modules": "x"' }));
    const r = await readWeightsSummary(path);
    if (!r.ok) throw new Error(r.error);
    const files = [
      { path, ok: true as const, summary: r.summary, details: r.details },
      { path: 'gone', ok: false as const, error: 'gone: no such file' },
    ];
    const writes: string[] = [];
    await writeInspectJson(files, { write: async (t) => void writes.push(t), close: async () => {} });
    const whole = writes.join('');
    expect(whole).toBe(inspectJson(files));
    expect(JSON.parse(whole).files[0].tensors).toHaveLength(4_000);
    // Nothing near the size of the document is built at once.
    expect(Math.max(...writes.map((w) => w.length))).toBeLessThan(whole.length / 100);
  });
});
