import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli as runCli } from '../../test/support/cli.js';
import { useTempDir } from '../../test/support/temp-dir.js';

const PLAIN = { GITHUB_ACTIONS: undefined, GITHUB_WORKSPACE: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined };
const SEEDED = 'fixtures/configs/seeded';

const tmp = useTempDir('tblens-lint-cli-');

describe('tblens lint', () => {
  it('text: file:line:col, the line itself with a caret, expected/why/advice; exit 1 on an error', async () => {
    const r = await runCli(['lint', join(SEEDED, 'comma-joined-args.json')], PLAIN);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      `${join(SEEDED, 'comma-joined-args.json')}:4:22: error optimizer_args_syntax: optimizer_args: weight_decay=0.5, is read as a tuple (the trailing comma); weight_decay takes one value — sd-scripts stops before training`,
    );
    expect(lines[1]).toBe('    4 |   "optimizer_args": "weight_decay=0.5, decouple=True, betas=0.9,0.99",');
    expect(lines[2]).toBe(`      | ${' '.repeat(21)}^`);
    expect(lines[3]).toMatch(/^ {6}expected: /);
    expect(r.stdout).toMatch(/1 config linted, 2 errors, 0 warnings, 0 notices\n$/);
  });

  it('--fail-on: warnings pass by default and fail with --fail-on warning; a sound config exits 0', async () => {
    const file = join(SEEDED, 'alpha-over-dim.toml');
    expect((await runCli(['lint', file], PLAIN)).code).toBe(0);
    expect((await runCli(['lint', file, '--fail-on', 'warning'], PLAIN)).code).toBe(1);
    expect((await runCli(['lint', 'fixtures/configs/sd-scripts/lora.toml', '--fail-on', 'warning'], PLAIN)).code).toBe(0);
  });

  it('a config that cannot be parsed is exit 2 with its line and column, and the other files are still linted', async () => {
    const r = await runCli(['lint', 'fixtures/configs/broken/broken.toml', join(SEEDED, 'alpha-over-dim.toml'), '--format', 'json'], PLAIN);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('fixtures/configs/broken/broken.toml:3:1: not valid TOML (invalid value)');
    const doc = JSON.parse(r.stdout);
    expect(doc.problems).toEqual([{ file: 'fixtures/configs/broken/broken.toml', line: 3, column: 1, message: 'not valid TOML (invalid value)' }]);
    expect(doc.files[0].findings[0]).toMatchObject({
      kind: 'config',
      rule: 'alpha_over_dim',
      key: 'network_alpha',
      line: 4,
      column: 1,
      seen: { alpha: 128, dim: 8 },
    });
    expect((await runCli(['lint', join(tmp(), 'missing.toml')], PLAIN)).code).toBe(2);
  });

  it('SARIF: every TOML finding’s region is the line of its field; rules carry full descriptions and help', async () => {
    const r = await runCli(['lint', SEEDED, 'fixtures/configs/sd-scripts', '--format', 'sarif'], PLAIN);
    const log = JSON.parse(r.stdout);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    for (const rule of run.tool.driver.rules) {
      expect(rule.fullDescription.text.length).toBeGreaterThan(40);
      expect(rule.help.text.length).toBeGreaterThan(20);
    }
    const tomlResults = run.results.filter((x: any) => x.locations[0].physicalLocation.artifactLocation.uri.endsWith('.toml'));
    expect(tomlResults.length).toBeGreaterThanOrEqual(9);
    for (const res of tomlResults) {
      const loc = res.locations[0].physicalLocation;
      const text = await readFile(decodeURIComponent(loc.artifactLocation.uri), 'utf8');
      const line = text.split('\n')[loc.region.startLine - 1];
      const key = String(res.properties.key)
        .replace(/^.*\./, '')
        .replace(/\[\d+\]$/, '');
      // The field's own line (its key starts it); the column is the key or, for items inside a value, the item.
      expect(line.trimStart(), `${loc.artifactLocation.uri} ${res.ruleId}`).toMatch(new RegExp(`^(\\[\\[)?"?${key}\\b`));
      expect(loc.region.startColumn).toBeGreaterThanOrEqual(line.length - line.trimStart().length + 1);
      expect(run.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
    }
  });

  it('GitHub annotations on the config line, with workflow-command escaping', async () => {
    const ws = resolve('.');
    const r = await runCli(['lint', join(SEEDED, 'sdxl-fp16-no-half-vae.json'), join(SEEDED, 'warmup-whole-run.json')], {
      ...PLAIN,
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: ws,
    });
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^::warning file=fixtures\/configs\/seeded\/sdxl-fp16-no-half-vae\.json,line=14,col=3,title=SDXL in fp16 without no_half_vae \(sdxl_fp16_vae\)::SDXL in fp16/,
    );
    expect(lines[1]).toMatch(
      /^::warning file=fixtures\/configs\/seeded\/warmup-whole-run\.json,line=8,col=3,title=Warmup as long as the run \(warmup_too_long\)::The warmup covers 100 %25 of the run/,
    );
    expect(lines[2]).toBe('tblens lint: 2 configs linted, 0 errors, 2 warnings, 0 notices');
  });

  it('thresholds come from the lint section of tblens.config.json; an unknown key there is exit 2', async () => {
    const good = join(tmp(), 'good.json');
    await writeFile(good, JSON.stringify({ lint: { alphaOverDim: 32 } }));
    expect((await runCli(['lint', join(SEEDED, 'alpha-over-dim.toml'), '--fail-on', 'warning', '--config', good], PLAIN)).code).toBe(0);
    const bad = join(tmp(), 'bad.json');
    await writeFile(bad, JSON.stringify({ lint: { alphaOverDimm: 32 } }));
    const r = await runCli(['lint', join(SEEDED, 'alpha-over-dim.toml'), '--config', bad], PLAIN);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('lint.alphaOverDimm: unknown setting');
  });
});
