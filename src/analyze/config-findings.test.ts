// The run's own config in diagnose/check: where it is found, the severity policy, and the CI outputs
// pointing at the key's line. Real fixture runs copied beside a GUI-written TOML; nothing of ours mocked.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli, PLAIN } from '../../test/support/cli.js';
import { junitXsdErrors, sarifSchemaErrors, uploadSarifErrors } from '../../test/support/validators.js';
import { LINT_RULES } from '../lint/rule-catalogue.js';
import { analyze } from './analyze.js';
import { configSeverity, CORROBORATED_BY } from './config-findings.js';
import type { ReportFinding, ReportRun } from './diagnosis-report.js';
import { useTempDir } from '../../test/support/temp-dir.js';

/** The seeded mistake of fixtures/configs/seeded/weight-decay-too-high.toml, as the kohya_ss GUI would write it into output_dir. */
const SEEDED = readFileSync('fixtures/configs/seeded/weight-decay-too-high.toml', 'utf8');
const SEEDED_LINE = SEEDED.split('\n').findIndex((l) => l.startsWith('optimizer_args')) + 1;
const SEEDED_COLUMN = SEEDED.split('\n')[SEEDED_LINE - 1].indexOf('weight_decay=5') + 1;
/** A sound config: AdamW at its usual decay. */
const SOUND = SEEDED.replace('weight_decay=5', 'weight_decay=0.01').replace(/^# .*\n/, '# sound\n');

const tmp = useTempDir('tblens-config-');
afterEach(() => {
  vi.restoreAllMocks();
});

/** A copy of a fixture run with `config_lora-<stamp>.toml` files written beside its LoRA file. */
async function withGuiToml(fixture: string, name: string, tomls: Record<string, string>): Promise<string> {
  const dir = join(tmp(), name);
  await cp(fixture, dir, { recursive: true });
  for (const [stamp, text] of Object.entries(tomls)) await writeFile(join(dir, `config_lora-${stamp}.toml`), text);
  return dir;
}

const configOf = (run: ReportRun | undefined): ReportFinding[] => (run?.findings ?? []).filter((f) => f.kind === 'config');

describe('severity policy', () => {
  it('every lint rule has a corroboration entry', () => {
    expect(Object.keys(CORROBORATED_BY).sort()).toEqual(LINT_RULES.map((r) => r.id).sort());
  });

  it('a warning stands only with a detector warning/error of a corroborating kind; errors stand only where the setting cannot work', () => {
    const flat = [{ kind: 'flat' as const, severity: 'warning' as const }];
    expect(configSeverity({ rule: 'weight_decay_high', severity: 'warning' }, [])).toEqual({ severity: 'notice', corroboratedBy: [], contradicted: false });
    expect(configSeverity({ rule: 'weight_decay_high', severity: 'warning' }, flat)).toEqual({
      severity: 'warning',
      corroboratedBy: ['flat'],
      contradicted: false,
    });
    // A detector notice is not enough, nor a kind that does not show the rule's effect.
    expect(configSeverity({ rule: 'weight_decay_high', severity: 'warning' }, [{ kind: 'flat', severity: 'notice' }]).severity).toBe('notice');
    expect(configSeverity({ rule: 'lion_lr', severity: 'warning' }, flat).severity).toBe('notice');
    expect(configSeverity({ rule: 'lion_lr', severity: 'warning' }, [{ kind: 'explosion', severity: 'error' }]).severity).toBe('warning');
    expect(configSeverity({ rule: 'warmup_too_long', severity: 'warning' }, [{ kind: 'lr_schedule', severity: 'warning' }]).severity).toBe('warning');
    // The decay-budget error is a prediction: without flat it is a notice, with it an error.
    expect(configSeverity({ rule: 'weight_decay_high', severity: 'error' }, []).severity).toBe('notice');
    expect(configSeverity({ rule: 'weight_decay_high', severity: 'error' }, flat).severity).toBe('error');
    // Comma-joined optimizer_args crash sd-scripts: no curve makes that work. A run that logged an empty file or no loss stays failed;
    // one that trained without a warning contradicts the file (probably not the config it ran with): a warning, not a failure.
    expect(configSeverity({ rule: 'optimizer_args_syntax', severity: 'error' }, [{ kind: 'empty', severity: 'error' }]).severity).toBe('error');
    expect(configSeverity({ rule: 'lr_not_positive', severity: 'error' }, [{ kind: 'insufficient_data', severity: 'notice' }]).severity).toBe('error');
    expect(configSeverity({ rule: 'lr_not_positive', severity: 'error' }, flat)).toEqual({ severity: 'error', corroboratedBy: ['flat'], contradicted: false });
    expect(configSeverity({ rule: 'optimizer_args_syntax', severity: 'error' }, [{ kind: 'loss_outlier', severity: 'notice' }])).toEqual({
      severity: 'warning',
      corroboratedBy: [],
      contradicted: true,
    });
    expect(configSeverity({ rule: 'optimizer_args_syntax', severity: 'error' }, [{ kind: 'truncated', severity: 'warning' }]).severity).toBe('warning');
    expect(configSeverity({ rule: 'unknown_key', severity: 'warning' }, flat).severity).toBe('notice');
  });
});

describe('the GUI TOML beside a run', () => {
  it('a flat run with weight_decay far too high: a config warning naming the key, line and column of the TOML; SARIF, GitHub and JUnit point there', async () => {
    // flat-tiny-lr learned nothing (lr 1e-7); its log directory is …-<stamp>, and the GUI wrote its TOML a few seconds before.
    const stamp = readdirSync('fixtures/kohya/flat-tiny-lr')
      .map((n) => /(\d{8})(\d{6})$/.exec(n))
      .find(Boolean)!;
    const toml = `${stamp[1]}-${String(Number(stamp[2]) - 5).padStart(6, '0')}`;
    const dir = await withGuiToml('fixtures/kohya/flat-tiny-lr', 'flat', { [toml]: SEEDED, [`${stamp[1]}-000000`]: SOUND });
    const diagnosed = await cli(['diagnose', dir, '--format', 'json'], PLAIN);
    const report = JSON.parse(diagnosed.stdout);
    const found = configOf(report.runs[0]).filter((f) => f.rule === 'weight_decay_high');
    expect(found).toHaveLength(1);
    const f = found[0];
    expect(f).toMatchObject({ kind: 'config', severity: 'warning', key: 'optimizer_args', line: SEEDED_LINE, column: SEEDED_COLUMN });
    expect(f.file).toBe(join(dir, `config_lora-${toml}.toml`));
    expect(f.evidence).toMatchObject({ rule: 'weight_decay_high', lintSeverity: 'warning', corroboratedBy: 'flat', weight_decay: 5 });

    const sarif = JSON.parse((await cli(['check', dir, '--format', 'sarif'], { ...PLAIN, GITHUB_WORKSPACE: tmp() })).stdout);
    const result = sarif.runs[0].results.find(
      (r: { ruleId: string; properties: { rule?: string } }) => r.ruleId === 'config' && r.properties.rule === 'weight_decay_high',
    );
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(uploadSarifErrors(sarif)).toEqual([]);
    expect(result.locations[0].physicalLocation.region).toEqual({ startLine: SEEDED_LINE, startColumn: SEEDED_COLUMN });
    expect(result.locations[0].physicalLocation.artifactLocation).toEqual({ uri: `flat/config_lora-${toml}.toml`, uriBaseId: '%SRCROOT%' });

    const gh = await cli(['check', dir, '--format', 'github'], { ...PLAIN, GITHUB_WORKSPACE: tmp() });
    expect(gh.stdout).toContain(`::warning file=flat/config_lora-${toml}.toml,line=${SEEDED_LINE},col=${SEEDED_COLUMN},title=`);

    const junit = await cli(['check', dir, '--format', 'junit'], PLAIN);
    expect(await junitXsdErrors(junit.stdout)).toEqual([]);
    expect(junit.stdout).toContain(`name="config weight_decay_high ${f.file}:${SEEDED_LINE}:${SEEDED_COLUMN}"`);

    const text = await cli(['diagnose', dir], PLAIN);
    // The text is wrapped at the terminal width: compare with the line breaks folded.
    expect(text.stdout.replace(/\s+/g, ' ')).toMatch(new RegExp(`config weight_decay_high optimizer_args: weight_decay=5 .*corroborated by flat`));
    expect(text.stdout).toContain(`config_lora-${toml}.toml:${SEEDED_LINE}:${SEEDED_COLUMN}`);
  });

  it('the same setting beside a healthy run is a notice: check passes with the default --fail-on', async () => {
    const dir = await withGuiToml('fixtures/kohya/sweep/adamw', 'healthy', { '20261129-140100': SEEDED });
    const checked = await cli(['check', dir, '--format', 'json'], PLAIN);
    expect(checked.code).toBe(0);
    const report = JSON.parse(checked.stdout);
    const f = configOf(report.runs[0]).find((x) => x.rule === 'weight_decay_high');
    expect(f).toMatchObject({ severity: 'notice', line: SEEDED_LINE, key: 'optimizer_args' });
    expect(f!.message).toContain('lint: warning; a notice here');
    expect(report.counts.error).toBe(0);
    expect(configOf(report.runs[0]).filter((x) => x.severity !== 'notice')).toEqual([]);
  });

  it('GUI project: each run gets the TOML written just before its log directory, from the output_dir its LoRA files are in', async () => {
    const dir = join(tmp(), 'gui');
    await cp('fixtures/hard/gui-project', dir, { recursive: true });
    // Runs log/20261201110000 and log/20261201110006; the GUI wrote its TOML into model/ before each launch.
    await writeFile(join(dir, 'model', 'config_lora-20261201-105958.toml'), SEEDED);
    await writeFile(join(dir, 'model', 'config_lora-20261201-110004.toml'), SOUND);
    // kohya's --log_config also writes hparams.yml into the float-named side directory.
    await writeFile(
      join(dir, 'log/20261201110006/network_train/1796004036.2501435/hparams.yml'),
      'optimizer_type: Lion\nlearning_rate: 0.0001\ntrain_batch_size: 4\n',
    );
    const r = await analyze([dir]);
    if (!r.ok) throw new Error(r.error);
    const byName = (suffix: string) => r.report.runs.find((x) => x.run.endsWith(suffix));
    const first = configOf(byName('20261201110000')).filter((f) => f.file?.endsWith('.toml'));
    expect(first.map((f) => [f.rule, f.severity, f.file!.split('/').pop(), f.line])).toEqual([
      ['weight_decay_high', 'notice', 'config_lora-20261201-105958.toml', SEEDED_LINE],
    ]);
    const second = configOf(byName('20261201110006'));
    expect(second.filter((f) => f.rule === 'weight_decay_high')).toEqual([]);
    // gpu1's NaN weights are not a divergence of the loss: Lion's lr stays a notice, at its line in hparams.yml.
    expect(second.filter((f) => f.rule === 'lion_lr').map((f) => [f.severity, f.file!.split('/').pop(), f.key, f.line])).toEqual([
      ['notice', 'hparams.yml', 'learning_rate', 2],
    ]);
    expect(r.report.checksSkipped.filter((s) => s.kind === 'config' && s.run.startsWith('gui'))).toEqual([]);
  });
});

describe('evaluation: no config warning or error on a healthy fixture run', () => {
  const roots = ['fixtures/kohya', 'fixtures/hard', 'fixtures/trainers', '../shared/fixtures/kohya'].filter((r) => existsSync(join(r, 'labels.json')));
  const unlabelled = ['fixtures/wild', '../shared/fixtures/wild'].filter((r) => existsSync(r));

  it.each(roots)('%s (healthy per labels.json)', async (root) => {
    const labels = JSON.parse(readFileSync(join(root, 'labels.json'), 'utf8')) as { runs: Record<string, { healthy: boolean }> };
    const r = await analyze([root]);
    if (!r.ok) throw new Error(r.error);
    const healthy = r.report.runs.filter((run) => Object.entries(labels.runs).some(([k, l]) => l.healthy && (run.run === k || run.run.startsWith(`${k}/`))));
    expect(healthy.length).toBeGreaterThan(0);
    const serious = healthy.flatMap((run) =>
      configOf(run)
        .filter((f) => f.severity !== 'notice')
        .map((f) => `${run.run}: ${f.severity} ${f.rule}`),
    );
    const notices = healthy.flatMap((run) => configOf(run)).length;
    console.log(`${root}: ${healthy.length} healthy runs, ${notices} config notices, ${serious.length} config warnings/errors`);
    expect(serious).toEqual([]);
  });

  it.each(unlabelled)('%s (no labels: runs whose curves raise no warning)', async (root) => {
    const r = await analyze([root]);
    if (!r.ok) throw new Error(r.error);
    const quiet = r.report.runs.filter((run) => !run.findings.some((f) => f.kind !== 'config' && f.severity !== 'notice'));
    expect(
      quiet.flatMap((run) =>
        configOf(run)
          .filter((f) => f.severity !== 'notice')
          .map((f) => `${run.run}: ${f.rule}`),
      ),
    ).toEqual([]);
  });
});
