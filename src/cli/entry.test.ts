import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, PLAIN } from '../../test/support/cli.js';
import { closest, recordSpec, scanArgs } from './argv.js';
import { editDistance } from '../lint/suggest.js';
import { COMMANDS } from './commands.js';
import { diagnoseCommand } from './diagnose.js';

const GUI = 'fixtures/hard/gui-project';
const diagnoseCommandWithOutput = (y: Parameters<typeof diagnoseCommand.builder>[0]) => diagnoseCommand.builder(y).option('o', { type: 'string' });
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const ORDER = ['diagnose', 'check', 'lint', 'compare', 'watch', 'inspect', 'export'];

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tblens-entry-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The command names in the order a text lists them (the first word of each indented line that is a command). */
function listed(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /^ {2}(\w+) /.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && ORDER.includes(n));
}

describe('version, command list, help', () => {
  it('--version and -v print the package version and exit 0', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await cli([flag], PLAIN);
      expect(r).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    }
  });

  it('a bare tblens lists the commands in the user order, one line each, and exits 0', async () => {
    const r = await cli([], PLAIN);
    expect(r.code).toBe(0);
    expect(listed(r.stdout)).toEqual(ORDER);
    expect(COMMANDS.map((c) => c.name)).toEqual(ORDER);
  });

  it('--help: the same order, examples, and none of the yargs type labels', async () => {
    const r = await cli(['--help'], PLAIN);
    expect(r.code).toBe(0);
    expect(listed(r.stdout)).toEqual(ORDER);
    expect(r.stdout).toContain('tblens diagnose <logging_dir> --weights <output_dir>');
    const d = await cli(['diagnose', '--help'], PLAIN);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('Examples:');
    expect(d.stdout).toContain('--weights DIR…');
    expect(d.stdout).not.toMatch(/\[(array|required|string|default: \[\])\]/);
    for (const c of COMMANDS) expect(c.examples.length).toBeGreaterThanOrEqual(1);
  });

  it('tblens help <command> is the command help; -ofile is -o with its value attached', async () => {
    expect(await cli(['help', 'inspect'], PLAIN)).toEqual(await cli(['inspect', '--help'], PLAIN));
    expect(scanArgs(['-oout.csv', 'logs/'], recordSpec(diagnoseCommandWithOutput)).unknown).toEqual([]);
  });

  it('a usage error points at the command help', async () => {
    const r = await cli(['diagnose', '--format', 'jsn', `${GUI}/log`], PLAIN);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('(see tblens diagnose --help)');
  });
});

describe('typos', () => {
  it('an unknown command gets "did you mean", one line, exit 2', async () => {
    const r = await cli(['diagnos', 'logs/'], PLAIN);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/did you mean diagnose\?/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('an unknown option gets "did you mean", one line, exit 2', async () => {
    const r = await cli(['diagnose', '--wieghts', `${GUI}/model`, `${GUI}/log`], PLAIN);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --wieghts: did you mean --weights\?/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a hostile typo is sanitised like any other name', async () => {
    const r = await cli(['\u001b]0;x\u0007diag'], PLAIN);
    expect(r.code).toBe(2);
    expect([...r.stderr].filter((ch) => ch !== '\n' && ch.charCodeAt(0) < 32)).toEqual([]);
  });

  it('edit distance counts a swapped pair once; closest keeps within a third of the word', () => {
    expect(editDistance('wieghts', 'weights', Infinity)).toBe(1);
    expect(closest('diagnos', ORDER)).toBe('diagnose');
    expect(closest('xyz', ORDER)).toBeUndefined();
  });
});

describe('--weights before the paths', () => {
  const spec = recordSpec(diagnoseCommand.builder);

  it('before the first path an array option takes one value; after it, every value up to the next option', () => {
    expect(scanArgs(['--weights', 'out/', 'logs/'], spec).argv).toEqual(['logs/', '--weights=out/']);
    expect(scanArgs(['--weights', 'a', '--weights', 'b', 'logs/'], spec).argv).toEqual(['logs/', '--weights=a', '--weights=b']);
    expect(scanArgs(['logs/', '--weights', 'a', 'b'], spec).argv).toEqual(['logs/', '--weights', 'a', 'b']);
    expect(scanArgs(['--format', 'json', '--weights', 'a', 'logs/', '--', '-odd'], spec).argv).toEqual([
      '--format',
      'json',
      'logs/',
      '--weights=a',
      '--',
      '-odd',
    ]);
  });

  it('diagnose --weights <output_dir> <logging_dir> links the LoRA files as the other order does', async () => {
    const before = await cli(['diagnose', '--weights', `${GUI}/model`, `${GUI}/log`, '--format', 'json'], PLAIN);
    const after = await cli(['diagnose', `${GUI}/log`, '--weights', `${GUI}/model`, '--format', 'json'], PLAIN);
    expect(before.code).toBe(after.code);
    const weights = (out: string) => (JSON.parse(out) as { runs: { weights: { path: string }[] }[] }).runs.flatMap((r) => r.weights.map((w) => w.path));
    expect(weights(before.stdout).length).toBeGreaterThan(0);
    expect(weights(before.stdout)).toEqual(weights(after.stdout));
  });
});

describe('hints', () => {
  it('a folder of LoRA files given as logs: try inspect or --weights (diagnose, check, compare, export)', async () => {
    for (const cmd of [['diagnose'], ['check', '--format', 'text'], ['compare', '--format', 'markdown'], ['export']]) {
      const r = await cli([...cmd, `${GUI}/model`], PLAIN);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`these are LoRA files: try \`tblens inspect ${GUI}/model\` or \`--weights ${GUI}/model\``);
    }
  });

  it('a .safetensors file given to diagnose', async () => {
    const r = await cli(['diagnose', `${GUI}/model/gpu0-000001.safetensors`], PLAIN);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a LoRA file, not a TensorBoard log: try `tblens inspect');
  });

  it('an event file (or a folder of them) given to inspect: try diagnose', async () => {
    const run = 'fixtures/kohya/explode/glypha-explode-20261129140407/network_train';
    const dir = await cli(['inspect', run], PLAIN);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain(`holds TensorBoard event files: try \`tblens diagnose ${run}\``);
    const file = join(tmp, 'events.out.tfevents.1.host');
    await cp(join(run, 'events.out.tfevents.1795961047.vm.6543.0'), file);
    const one = await cli(['inspect', file], PLAIN);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('is a TensorBoard event file: try `tblens diagnose');
  });

  it('compare --tags and export --runs matching nothing list what exists', async () => {
    const c = await cli(['compare', 'fixtures/kohya/sweep', '--tags', 'zzz', '--format', 'markdown'], PLAIN);
    expect(c.code).toBe(0);
    expect(c.stderr).toMatch(/--tags zzz: matches no tag; the tags: .*loss\/current/);
    const e = await cli(['export', 'fixtures/kohya/sweep', '--runs', 'zzz'], PLAIN);
    expect(e.code).toBe(0);
    expect(e.stdout).toBe('run,tag,step,wall_time,value\n');
    expect(e.stderr).toMatch(/--runs zzz: matches no run; the runs: adafactor.*prodigy/);
  });

  it('a tblens.config.json in the working directory is said on stderr', async () => {
    const dir = join(tmp, 'with-config');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'tblens.config.json'), '{}');
    const run = resolve('fixtures/kohya/sweep/adamw');
    const saved = process.cwd();
    process.chdir(dir);
    try {
      const r = await cli(['diagnose', run], PLAIN);
      expect(r.stderr).toContain('tblens: using ./tblens.config.json');
    } finally {
      process.chdir(saved);
    }
    expect((await cli(['diagnose', run], PLAIN)).stderr).not.toContain('using');
  });
});

/** The files main.ts loads before it runs a command: its static imports, recursively (type-only and dynamic imports left out). */
function staticClosure(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/^import (?!type )[^;]*?from '([^']+)';/gms)) {
      const spec = m[1];
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  };
  visit(resolve(entry));
  return { files: [...files].map((f) => relative(process.cwd(), f)).sort(), packages: [...packages] };
}

describe('start time (#16): --version and --help load nothing heavy', () => {
  it('main.ts statically imports no package (yargs, d3, protobufjs) and no reader or renderer (lint/suggest, import-free, gives the did-you-mean)', () => {
    const { files, packages } = staticClosure('src/cli/main.ts');
    expect(packages).toEqual([]);
    expect(files).toContain('src/report/terminal.ts');
    expect(files.filter((f) => !/^src\/(cli\/(main|argv|commands|help)|report\/(terminal|escape|output)|analyze\/tool|lint\/suggest)\.ts$/.test(f))).toEqual(
      [],
    );
  });
});

describe('the built CLI (skipped unless `npm run build` has been run)', () => {
  it.skipIf(!existsSync('dist/src/cli/main.js'))('bin/tblens.js --version, a typo, and --weights before the paths', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['bin/tblens.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const v = run('--version');
    expect([v.status, v.stdout]).toEqual([0, `${VERSION}\n`]);
    const typo = run('diagnos');
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/did you mean diagnose\?/);
    const early = run('diagnose', '--weights', `${GUI}/model`, `${GUI}/log`);
    expect(early.stderr).not.toContain('Not enough non-option arguments');
    expect(early.stdout).toContain('weights:');
  });
});
