import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli, PLAIN } from '../../test/support/cli.js';
import { useTempDir } from '../../test/support/temp-dir.js';

const KOHYA = 'fixtures/kohya';

const tmp = useTempDir('tblens-check-');
afterEach(() => {
  vi.restoreAllMocks();
});

describe('exit codes', () => {
  it('0 for a healthy run, 1 for a run with an error finding', async () => {
    const healthy = await cli(['check', `${KOHYA}/sweep/adamw`, '--format', 'json'], PLAIN);
    expect(healthy.code).toBe(0);
    expect(JSON.parse(healthy.stdout).counts.error).toBe(0);
    const bad = await cli(['check', `${KOHYA}/explode`, '--format', 'json'], PLAIN);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).counts.error).toBeGreaterThan(0);
  });

  it('diagnose exits like check: 1 on errors, 0 without', async () => {
    expect((await cli(['diagnose', `${KOHYA}/nan-late`], PLAIN)).code).toBe(1);
    expect((await cli(['diagnose', `${KOHYA}/sweep/adamw`], PLAIN)).code).toBe(0);
  });

  it('2 for a path that does not exist, naming it', async () => {
    const r = await cli(['check', join(tmp(), 'nope'), '--format', 'text'], PLAIN);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope');
    expect(r.stdout).toBe('');
  });

  it('2 for a directory without event files', async () => {
    const empty = join(tmp(), 'no-events');
    await mkdir(empty, { recursive: true });
    await writeFile(join(empty, 'README.md'), 'not a log\n');
    const r = await cli(['diagnose', empty], PLAIN);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no event files/);
  });

  it('2 for a missing --weights directory and for usage errors', async () => {
    expect((await cli(['check', `${KOHYA}/sweep/adamw`, '--weights', join(tmp(), 'missing')], PLAIN)).code).toBe(2);
    expect((await cli(['check', `${KOHYA}/sweep/adamw`, '--format', 'pdf'], PLAIN)).code).toBe(2);
    expect((await cli(['check'], PLAIN)).code).toBe(2);
  });

  it('--fail-on warning turns a run with warnings but no errors into exit 1', async () => {
    const all = JSON.parse((await cli(['check', KOHYA, '--format', 'json'], PLAIN)).stdout);
    const warnOnly = all.runs.find((r: any) => r.findings.some((f: any) => f.severity === 'warning') && !r.findings.some((f: any) => f.severity === 'error'));
    expect(warnOnly, 'some fixture run has warnings and no error').toBeDefined();
    expect((await cli(['check', warnOnly.path, '--format', 'json'], PLAIN)).code).toBe(0);
    expect((await cli(['check', warnOnly.path, '--format', 'json', '--fail-on', 'warning'], PLAIN)).code).toBe(1);
  });

  it('2 when every event file under a path is unreadable (a git-lfs pointer), findings when one good file remains', async () => {
    const lfs = join(tmp(), 'lfs-only', 'run');
    await mkdir(lfs, { recursive: true });
    const pointer = 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n';
    await writeFile(join(lfs, 'events.out.tfevents.1700000000.host.1.0'), pointer);
    const r = await cli(['check', join(tmp(), 'lfs-only'), '--format', 'json'], PLAIN);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lfs-only: no readable event file/);
    const mixed = join(tmp(), 'mixed');
    await cp(join(KOHYA, 'sweep/adamw'), join(mixed, 'good'), { recursive: true });
    await mkdir(join(mixed, 'bad'), { recursive: true });
    await writeFile(join(mixed, 'bad', 'events.out.tfevents.1700000000.host.1.0'), pointer);
    const m = await cli(['check', mixed, '--format', 'json'], PLAIN);
    expect(m.code).not.toBe(2);
    const bad = JSON.parse(m.stdout).runs.find((x: any) => x.run === 'bad');
    expect(bad.findings.map((f: any) => f.kind)).toContain('not_event_file');
  });

  it('an event file given directly is diagnosed and is not mistaken for a weights candidate', async () => {
    const file = `${KOHYA}/sweep/adamw/glypha-adamw-20261129140106/network_train/events.out.tfevents.1795960866.vm.5635.0`;
    const r = await cli(['check', file, '--format', 'json', '--weights', `${KOHYA}/sweep/adamw`], PLAIN);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.problems).toEqual([]);
    expect(rep.runs[0].weights.map((w: any) => w.path)).toEqual([`${KOHYA}/sweep/adamw/glypha-adamw.safetensors`]);
  });

  it("links only the run's own save when a neighbour's LoRA also falls in its time window", async () => {
    // adamw's LoRA (3000 steps, lr 1e-4) started 3 min before explode's log: inside the time window, but
    // its output name is not explode's log prefix, so it is listed, not linked (and cannot fake a flat run).
    const r = await cli(
      ['check', `${KOHYA}/explode/glypha-explode-20261129140407`, '--format', 'json', '--weights', `${KOHYA}/explode`, `${KOHYA}/sweep/adamw`],
      PLAIN,
    );
    const run = JSON.parse(r.stdout).runs[0];
    expect(run.weights.map((w: any) => w.path)).toEqual([`${KOHYA}/explode/glypha-explode.safetensors`]);
    expect(run.findings.map((f: any) => f.kind)).not.toContain('flat');
    expect(run.identity.learningRate).toBe(0.05);
    expect(run.identity.steps).toBe(2000);
  });

  it('damaged files give findings, not exit 2', async () => {
    for (const run of ['truncated', 'corrupt-crc']) {
      const r = await cli(['check', `${KOHYA}/${run}`, '--format', 'json'], PLAIN);
      expect(r.code).not.toBe(2);
      const kinds = JSON.parse(r.stdout).runs[0].findings.map((f: any) => f.kind);
      expect(kinds).toContain(run === 'truncated' ? 'truncated' : 'crc_error');
    }
  });

  it('2 for a config file with bad JSON or an unknown key, naming file and field', async () => {
    const bad = join(tmp(), 'bad.json');
    await writeFile(bad, '{ "explosion": { "zWarn": 6, } }');
    const r1 = await cli(['check', `${KOHYA}/sweep/adamw`, '--config', bad], PLAIN);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('bad.json');
    expect(r1.stderr.trim().split('\n')).toHaveLength(1);
    const unknown = join(tmp(), 'unknown.json');
    await writeFile(unknown, JSON.stringify({ explosion: { zWran: 6 } }));
    const r2 = await cli(['check', `${KOHYA}/sweep/adamw`, '--config', unknown], PLAIN);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('unknown.json');
    expect(r2.stderr).toContain('explosion.zWran');
    expect((await cli(['check', `${KOHYA}/sweep/adamw`, '--config', join(tmp(), 'absent.json')], PLAIN)).code).toBe(2);
  });

  it('a valid config file changes the thresholds the report states', async () => {
    const file = join(tmp(), 'ok.json');
    await writeFile(file, JSON.stringify({ $schema: 'x', explosion: { zWarn: 9 } }));
    const r = await cli(['check', `${KOHYA}/sweep/adamw`, '--format', 'json', '--config', file], PLAIN);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).config.explosion.zWarn).toBe(9);
  });
});

describe('check formats', () => {
  it('defaults to github annotations under GitHub Actions and to text elsewhere', async () => {
    const gh = await cli(['check', `${KOHYA}/explode`], { ...PLAIN, GITHUB_ACTIONS: 'true' });
    expect(gh.stdout).toMatch(/^::error /m);
    const text = await cli(['check', `${KOHYA}/explode`], PLAIN);
    expect(text.stdout).not.toMatch(/^::/m);
    expect(text.stdout).toMatch(/FAILED/);
  });

  it('writes -o FILE and appends the step summary when GITHUB_STEP_SUMMARY is set', async () => {
    const summary = join(tmp(), 'summary.md');
    await writeFile(summary, '# earlier step content\n');
    const out = join(tmp(), 'annotations.txt');
    const r = await cli(['check', KOHYA, '--format', 'github', '-o', out], { ...PLAIN, GITHUB_STEP_SUMMARY: summary });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const log = await readFile(out, 'utf8');
    expect(log).toMatch(/^::error file=fixtures\/kohya\/explode\//m);
    const md = await readFile(summary, 'utf8');
    expect(md.startsWith('# earlier step content\n')).toBe(true);
    expect(md).toMatch(/^\| run \| verdict \|/m);
    expect(md).toContain('`explode`');
  });

  it('makes annotation paths relative to GITHUB_WORKSPACE and leaves out files outside it', async () => {
    const inside = await cli(['check', `${KOHYA}/explode`, '--format', 'github'], { ...PLAIN, GITHUB_WORKSPACE: join(process.cwd(), 'fixtures') });
    expect(inside.stdout).toMatch(/^::error file=kohya\/explode\//m);
    const outside = await cli(['check', `${KOHYA}/explode`, '--format', 'github'], { ...PLAIN, GITHUB_WORKSPACE: tmp() });
    expect(outside.stdout).toMatch(/^::error title=/m);
    expect(outside.stdout).not.toContain('file=');
  });

  it('JUnit and SARIF on exit 2 still say why', async () => {
    const sarif = await cli(['check', join(tmp(), 'nope'), '--format', 'sarif'], PLAIN);
    expect(sarif.code).toBe(2);
    const log = JSON.parse(sarif.stdout);
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(false);
    const junit = await cli(['check', join(tmp(), 'nope'), '--format', 'junit'], PLAIN);
    expect(junit.code).toBe(2);
    expect(junit.stdout).toMatch(/<error type="tblens" message="[^"]*nope/);
  });

  it('diagnose --format text has no colour when not a TTY, even with colour-hungry terminals', async () => {
    const r = await cli(['diagnose', `${KOHYA}/explode`], PLAIN);
    expect(r.stdout).not.toContain('\u001b[');
    const forced = await cli(['diagnose', `${KOHYA}/explode`], { ...PLAIN, FORCE_COLOR: '1' });
    expect(forced.stdout).toContain('\u001b[31m');
    const off = await cli(['diagnose', `${KOHYA}/explode`], { ...PLAIN, NO_COLOR: '1' });
    expect(off.stdout).not.toContain('\u001b[');
  });
});

const built = existsSync('dist/src/cli/diagnose.js') && existsSync('dist/src/cli/check.js');

describe('end to end (node bin/tblens.js)', () => {
  it.skipIf(!built)('runs the built CLI: diagnose exits 1 on explode and prints its verdict (skipped unless `npm run build` has been run)', () => {
    const r = spawnSync(process.execPath, ['bin/tblens.js', 'diagnose', `${KOHYA}/explode`], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' },
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAILED/);
  });
});
