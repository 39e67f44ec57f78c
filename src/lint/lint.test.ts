import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { craftSafetensors } from '../../test/support/craft-safetensors.js';
import { DEFAULT_CONFIG, mergeConfig } from '../detect/config.js';
import { lintConfig, lintConfigText, lintRunConfig, type LintedFile } from './lint.js';
import { nearestKey } from './suggest.js';
import { useTempDir } from '../../test/support/temp-dir.js';

const PRESETS = 'fixtures/configs/kohya_ss-presets';
const SD_SCRIPTS = 'fixtures/configs/sd-scripts';
const SEEDED = 'fixtures/configs/seeded';

const tmp = useTempDir('tblens-lint-');

describe('shipped presets and sd-scripts examples', () => {
  it('no kohya_ss GUI preset gets an error; the only warnings are the Prodigy presets’ weight decay of 0.4–0.5', async () => {
    const report = await lintConfig([PRESETS]);
    expect(report.problems).toEqual([]);
    expect(report.files).toHaveLength((await readdir(PRESETS)).length);
    expect(report.files.every((f) => f.format === 'kohya-gui-json')).toBe(true);
    expect(report.counts.error).toBe(0);
    const warnings = report.files.flatMap((f) =>
      f.findings.filter((x) => x.severity === 'warning').map((x) => [f.file.split('/').pop(), x.rule, x.seen.weight_decay]),
    );
    expect(warnings).toEqual([
      ['SDXL - 1 image LoRA v1.0.json', 'weight_decay_high', 0.4],
      ['SDXL - LoRA kudou-reira prodigy v4.0.json', 'weight_decay_high', 0.45],
      ['sdxl-24GB-loha-prodigy_v1.json', 'weight_decay_high', 0.5],
    ]);
    // Presets without images on disk cannot compare steps and epochs; the flux preset sets both.
    const notices = report.files.flatMap((f) => f.findings.filter((x) => x.severity === 'notice').map((x) => x.rule));
    expect(notices).toEqual(['steps_mismatch']);
  });

  it('sd-scripts’ own configs lint clean, except the sample that spells [[dataset]] instead of [[datasets]]', async () => {
    const report = await lintConfig([SD_SCRIPTS]);
    expect(report.problems).toEqual([]);
    const byFile: Record<string, LintedFile> = Object.fromEntries(report.files.map((f) => [f.file.split('/').pop(), f]));
    expect(byFile['lora.toml'].format).toBe('sd-scripts-toml');
    expect(byFile['sdxl_inpainting_test_lora.toml'].format).toBe('sd-scripts-toml');
    expect(byFile['flux_data_config.toml'].format).toBe('dataset-toml');
    for (const f of ['lora.toml', 'sdxl_inpainting_test_lora.toml', 'flux_data_config.toml']) expect(byFile[f].findings, f).toEqual([]);
    const sample = byFile['config_sample.toml'].findings;
    expect(sample.map((x) => [x.rule, x.severity, x.key, x.line, x.message])).toEqual([
      ['unknown_key', 'warning', 'dataset', 8, 'Unknown key dataset — did you mean datasets?'],
    ]);
  });
});

describe('one seeded mistake per config', () => {
  const expected: [string, string, string, 'error' | 'warning'][] = [
    ['weight-decay-too-high.toml', 'weight_decay_high', 'optimizer_args', 'warning'],
    ['learning-rate-typo.toml', 'unknown_key', 'learning_rte', 'warning'],
    ['prodigy-small-lr.toml', 'adaptive_lr', 'learning_rate', 'warning'],
    ['comma-joined-args.json', 'optimizer_args_syntax', 'optimizer_args', 'error'],
    ['sdxl-fp16-no-half-vae.json', 'sdxl_fp16_vae', 'mixed_precision', 'warning'],
    ['warmup-whole-run.json', 'warmup_too_long', 'lr_warmup', 'warning'],
    ['alpha-over-dim.toml', 'alpha_over_dim', 'network_alpha', 'warning'],
    ['lion-adamw-lr.toml', 'lion_lr', 'learning_rate', 'warning'],
    ['lion-batch-1.toml', 'lion_batch', 'train_batch_size', 'warning'],
    ['adafactor-cosine.toml', 'adafactor_relative_step', 'lr_scheduler', 'warning'],
    ['zero-learning-rates.toml', 'lr_not_positive', 'text_encoder_lr', 'error'],
    ['dataset-repeats-typo.toml', 'unknown_key', 'datasets[0].subsets[0].num_repeat', 'warning'],
  ];

  it.each(expected)('%s: %s on %s', async (file, rule, key, severity) => {
    const report = await lintConfig([join(SEEDED, file)]);
    const f = report.files[0];
    // Exactly the seeded mistake (the rest of each config is sound), at the line holding the field.
    expect(new Set(f.findings.map((x) => x.rule))).toEqual(new Set([rule]));
    const x = f.findings[0];
    expect([x.key, x.severity]).toEqual([key, severity]);
    const line = (await readFile(join(SEEDED, file), 'utf8')).split('\n')[x.line! - 1];
    expect(line).toContain(key.replace(/^.*\./, ''));
  });

  it('a too-high weight decay that cannot train is an error: the decay budget wd·Σlr reaches 5', () => {
    const toml = 'optimizer_type = "AdamW"\noptimizer_args = ["weight_decay=20"]\nlearning_rate = 1e-4\nlr_scheduler = "constant"\nmax_train_steps = 3000\n';
    const r = lintConfigText('x.toml', toml);
    if (!r.ok) throw new Error(r.problem.message);
    expect(r.file.findings.map((x) => [x.rule, x.severity])).toEqual([['weight_decay_high', 'error']]);
    expect(r.file.findings[0].seen.decayBudget).toBeCloseTo(6, 9);
  });

  it('a string optimizer_args in a TOML, a lowercase true and an item without "=" are errors', () => {
    const r = lintConfigText('x.toml', 'optimizer_type = "Prodigy"\nlearning_rate = 1.0\noptimizer_args = "decouple=True"\n');
    const r2 = lintConfigText('y.toml', 'optimizer_type = "Prodigy"\nlearning_rate = 1.0\noptimizer_args = ["decouple=true", "d_coef"]\n');
    // A real GUI config (a user's published SDXL settings) quotes its betas: Lion would get a string.
    const r3 = lintConfigText(
      'z.json',
      '{"optimizer": "Lion8bit", "optimizer_args": "weight_decay=0.01 betas=\'0.95,0.98\'", "learning_rate": 2e-5, "train_batch_size": 4}',
    );
    if (!r3.ok) throw new Error('parse');
    expect(r3.file.findings.map((x) => [x.rule, x.severity, x.column])).toEqual([['optimizer_args_syntax', 'error', 64]]);
    if (!r.ok || !r2.ok) throw new Error('parse');
    expect(r.file.findings.map((x) => x.message)).toEqual(['optimizer_args is a string; in a --config_file it must be a list of strings']);
    expect(r2.file.findings.map((x) => [x.column, x.message.split(' — ')[0]])).toEqual([
      [20, 'optimizer_args: decouple=true is not a Python literal (write True)'],
      [37, 'optimizer_args: "d_coef" has no "=" (sd-scripts splits every item at "=")'],
    ]);
  });

  it('Prodigy with different lrs for the text encoder and the U-Net: only the first takes effect', () => {
    const r = lintConfigText('x.toml', 'optimizer_type = "Prodigy"\nlearning_rate = 1.0\nunet_lr = 1.0\ntext_encoder_lr = 0.5\n');
    if (!r.ok) throw new Error('parse');
    expect(r.file.findings.map((x) => [x.rule, x.key])).toEqual([['adaptive_several_lrs', 'unet_lr']]);
  });

  it('a warmup with the plain constant scheduler is an error (sd-scripts refuses it); ratios and steps beyond the run are warnings', () => {
    const constant = lintConfigText('x.toml', 'lr_scheduler = "constant"\nlr_warmup_steps = 100\nlearning_rate = 1e-4\n');
    const ratio = lintConfigText('y.toml', 'lr_scheduler = "cosine"\nlr_warmup_steps = 2000\nmax_train_steps = 1500\nlearning_rate = 1e-4\n');
    if (!constant.ok || !ratio.ok) throw new Error('parse');
    expect(constant.file.findings.map((x) => [x.rule, x.severity])).toEqual([['warmup_too_long', 'error']]);
    expect(ratio.file.findings.map((x) => [x.rule, x.severity, x.line])).toEqual([['warmup_too_long', 'warning', 2]]);
  });

  it('steps that disagree with epochs × repeats × images / batch, counted from the images on disk', async () => {
    const dir = join(tmp(), 'steps');
    await mkdir(join(dir, 'train', '10_subject'), { recursive: true });
    for (let i = 0; i < 5; i++) await writeFile(join(dir, 'train', '10_subject', `img${i}.png`), '');
    await writeFile(join(dir, 'train', '10_subject', 'img0.txt'), 'caption');
    const config = join(dir, 'config.toml');
    await writeFile(config, 'train_data_dir = "train"\ntrain_batch_size = 2\nmax_train_epochs = 10\nmax_train_steps = 100\nlearning_rate = 1e-4\n');
    const report = await lintConfig([config]);
    const x = report.files[0].findings;
    expect(x.map((f) => [f.rule, f.severity, f.line, f.seen.stepsFromEpochs])).toEqual([['steps_mismatch', 'warning', 4, 250]]);
    await writeFile(config, 'train_data_dir = "train"\ntrain_batch_size = 2\nmax_train_epochs = 4\nmax_train_steps = 100\nlearning_rate = 1e-4\n');
    expect((await lintConfig([config])).files[0].findings).toEqual([]);
  });
});

describe('inputs', () => {
  it('a config that cannot be parsed is a problem with the parser’s line and column; the other files are still linted', async () => {
    const report = await lintConfig(['fixtures/configs/broken/broken.toml', join(SEEDED, 'alpha-over-dim.toml')]);
    expect(report.problems).toEqual([{ file: 'fixtures/configs/broken/broken.toml', line: 3, column: 1, message: 'not valid TOML (invalid value)' }]);
    expect(report.files.map((f) => f.findings.map((x) => x.rule))).toEqual([['alpha_over_dim']]);
    const json = lintConfigText('bad.json', '{\n  "optimizer": "AdamW",\n  "learning_rate": 1e-4,\n}\n');
    expect(json).toMatchObject({ ok: false, problem: { line: 4, column: 1 } });
  });

  it('a trained LoRA’s ss_* metadata (header only) and kohya’s hparams.yml are linted too', async () => {
    const meta = {
      ss_optimizer: 'prodigyopt.prodigy.Prodigy(decouple=True,weight_decay=0.01)',
      ss_learning_rate: '0.0001',
      ss_unet_lr: '0.0001',
      ss_text_encoder_lr: '0.0001',
      ss_network_dim: '8',
      ss_network_alpha: '4',
      ss_lr_scheduler: 'constant',
      ss_max_train_steps: '1000',
      ss_mixed_precision: 'bf16',
    };
    const file = join(tmp(), 'run.safetensors');
    await writeFile(file, craftSafetensors([], meta));
    const report = await lintConfig([file]);
    expect(report.files[0].format).toBe('safetensors-metadata');
    expect(report.files[0].findings.map((x) => [x.rule, x.key, x.line])).toEqual([['adaptive_lr', 'ss_text_encoder_lr', null]]);
    const yml = join(tmp(), 'hparams.yml');
    await writeFile(
      yml,
      'learning_rate: 0.0001\noptimizer_type: Lion\noptimizer_args: "[\'weight_decay=0.1\']"\ntrain_batch_size: 1\nnetwork_dim: 8\nnetwork_alpha: 4.0\n',
    );
    const h = await lintConfig([yml]);
    expect(h.files[0].findings.map((x) => [x.rule, x.line])).toEqual([
      ['lion_lr', 1],
      ['lion_batch', 4],
    ]);
    const fromRun = await lintRunConfig({
      runDir: tmp(),
      metadata: meta,
      metadataFile: file,
      hparams: { optimizer_type: 'Lion', learning_rate: 1e-4, train_batch_size: 4 },
    });
    expect(fromRun.map((x) => [x.kind, x.rule, x.file.split('/').pop()])).toEqual([
      ['config', 'lion_lr', 'hparams.yml'],
      ['config', 'lion_batch', 'hparams.yml'],
      ['config', 'adaptive_lr', 'run.safetensors'],
      ['config', 'lion_lr', '(hparams)'],
    ]);
  });

  it('files in a directory that are not configs are skipped and said so; named ones are problems', async () => {
    const dir = join(tmp(), 'mixed');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), '{"name": "x", "version": "1.0.0"}');
    await writeFile(join(dir, 'pyproject.toml'), '[project]\nname = "x"\n');
    const report = await lintConfig([dir]);
    expect(report.problems).toEqual([]);
    expect(report.skipped.map((s) => s.file.split('/').pop())).toEqual(['package.json', 'pyproject.toml']);
    expect((await lintConfig([join(dir, 'package.json')])).problems).toHaveLength(1);
  });
});

describe('thresholds and suggestions', () => {
  it('the lint section of the shared config moves a threshold; unknown lint keys are refused like any other', async () => {
    const merged = mergeConfig(DEFAULT_CONFIG, { lint: { weightDecayWarn: { adaptive: 1 } } });
    if (!merged.ok) throw new Error(merged.error);
    const report = await lintConfig([PRESETS], { config: merged.config });
    expect(report.counts.warning).toBe(0);
    expect(mergeConfig(DEFAULT_CONFIG, { lint: { weightDecay: 1 } })).toMatchObject({ ok: false, field: 'lint.weightDecay' });
    expect(mergeConfig(DEFAULT_CONFIG, { lint: { warmupShare: 2 } })).toMatchObject({ ok: false, field: 'lint.warmupShare' });
  });

  it('did-you-mean finds typos and swaps but not unrelated short keys', () => {
    const known = ['learning_rate', 'unet_lr', 'vae', 'network_alpha', 'max_train_epochs'];
    expect(nearestKey('learning_rte', known, 2)).toBe('learning_rate');
    expect(nearestKey('learnign_rate', known, 2)).toBe('learning_rate');
    expect(nearestKey('network_aplha', known, 2)).toBe('network_alpha');
    expect(nearestKey('lr', known, 2)).toBeUndefined();
    expect(nearestKey('completely_else', known, 2)).toBeUndefined();
  });
});

describe('hostile and damaged input', () => {
  it('never throws on arbitrary text as TOML, JSON or YAML', async () => {
    const fc = await import('fast-check');
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.constantFrom('a.toml', 'a.json', 'a.yml', 'a'), (text, name) => {
        const r = lintConfigText(name, text);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
    for (const text of [
      'learning_rate = """\nx',
      'a = [1,\n[t]\n',
      '{"optimizer": {"x": 1}, "optimizer_args": 5, "LoRA_type": []}',
      '[[datasets]]\nsubsets = 5\n',
      'optimizer_args = [1, 2]\noptimizer_type = 3\n',
    ]) {
      expect(() => lintConfigText('x.toml', text)).not.toThrow();
      expect(() => lintConfigText('x.json', text)).not.toThrow();
    }
  });

  it('a key carrying terminal escapes cannot reach the terminal or break an annotation', async () => {
    const { renderLintText, renderLintGithub } = await import('../report/lint/lint-render.js');
    const file = join(tmp(), 'evil.toml');
    await writeFile(file, 'learning_rate = 1e-4\noptimizer_type = "AdamW"\n"\\u001b[2J\\nlearning_rte" = 1\n');
    const report = await lintConfig([file]);
    expect(report.counts.warning).toBe(1);
    const text = renderLintText(report);
    expect(text).not.toContain('\u001b');
    const gh = renderLintGithub(report, { workspace: tmp() });
    expect(gh.split('\n')[0]).toMatch(/^::warning file=evil\.toml,line=3,col=1,title=[^\n]*::Unknown key \?\[2J learning_rte/);
    expect(gh).not.toContain('\u001b');
  });
});
