import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, PLAIN } from '../../test/support/cli.js';
import { useTempDir } from '../../test/support/temp-dir.js';

/** The trainer fixtures (fixtures/trainers/generate.py), each with the config file its trainer writes beside the run. */
const ROOT = 'fixtures/trainers';

const dir = useTempDir('tblens-config-identity-');

interface JsonRun {
  run: string;
  identity: {
    source: string;
    configPath?: string;
    optimizer?: { name: string };
    learningRate?: number;
    batchSizePerDevice?: number;
    gradientAccumulationSteps?: number;
    networkDim?: number;
    networkAlpha?: number;
  };
}

async function diagnoseJson(path: string): Promise<{ code: number; runs: JsonRun[]; stderr: string }> {
  const r = await cli(['diagnose', path, '--format', 'json'], PLAIN);
  return { code: r.code, runs: (JSON.parse(r.stdout) as { runs: JsonRun[] }).runs, stderr: r.stderr };
}

// optimizer, lr, batch per device, rank/alpha as each fixture's config (or logged hparams) says; the source that spoke.
const CASES: [
  string,
  { source: string; config: RegExp; optimizer: string | undefined; lr: number; batch: number; dim: number; alpha: number | undefined; pageBatch: number },
][] = [
  [
    'onetrainer/healthy',
    { source: 'config', config: /workspace\/config\/2026-11-30_10-00-00\.json$/, optimizer: 'ADAMW', lr: 1e-4, batch: 1, dim: 8, alpha: 16, pageBatch: 1 },
  ],
  [
    'onetrainer/flat',
    { source: 'config', config: /workspace\/config\/2026-11-30_10-00-00\.json$/, optimizer: 'ADAMW', lr: 1e-7, batch: 1, dim: 8, alpha: 16, pageBatch: 1 },
  ],
  [
    'ai-toolkit/healthy',
    { source: 'config', config: /output\/glypha_aitk_healthy\/config\.yaml$/, optimizer: 'adamw8bit', lr: 1e-4, batch: 1, dim: 8, alpha: 16, pageBatch: 1 },
  ],
  [
    'ai-toolkit/explode-db-only',
    {
      source: 'config',
      config: /output\/glypha_aitk_explode-db-only\/config\.yaml$/,
      optimizer: 'adamw8bit',
      lr: 1e-4,
      batch: 1,
      dim: 8,
      alpha: 16,
      pageBatch: 1,
    },
  ],
  [
    'simpletuner/healthy',
    { source: 'hparams', config: /simpletuner\/healthy\/config\/config\.json$/, optimizer: 'adamw_bf16', lr: 1e-4, batch: 1, dim: 8, alpha: 16, pageBatch: 1 },
  ],
  // The diffusers fixtures log no optimizer flag (the real scripts log --use_8bit_adam): the optimizer stays unknown, not guessed.
  [
    'diffusers-dreambooth/healthy',
    {
      source: 'hparams',
      config: /dreambooth-lora\/1796001440\.0203433\/hparams\.yml$/,
      optimizer: undefined,
      lr: 1e-4,
      batch: 1,
      dim: 8,
      alpha: undefined,
      pageBatch: 2,
    },
  ],
  [
    'diffusers-text_to_image/healthy',
    {
      source: 'hparams',
      config: /text2image-fine-tune\/1796001920\.0304577\/hparams\.yml$/,
      optimizer: undefined,
      lr: 1e-4,
      batch: 1,
      dim: 8,
      alpha: undefined,
      pageBatch: 2,
    },
  ],
];

describe("run identity from each trainer's config file", () => {
  it.each(CASES)('%s: diagnose JSON names optimizer, lr, batch and rank, and the config file read', async (fixture, want) => {
    const r = await diagnoseJson(join(ROOT, fixture));
    expect(r.stderr).toBe('');
    expect(r.runs.length).toBe(1);
    const id = r.runs[0].identity;
    expect(id.source).toBe(want.source);
    expect(id.configPath).toMatch(want.config);
    expect(id.optimizer?.name).toBe(want.optimizer);
    expect(id.learningRate).toBe(want.lr);
    expect(id.batchSizePerDevice).toBe(want.batch);
    expect(id.networkDim).toBe(want.dim);
    expect(id.networkAlpha).toBe(want.alpha);
  });

  it.each(CASES)("%s: the compare page's summary row shows them", async (fixture, want) => {
    const file = join(dir(), `${fixture.replace(/\//g, '-')}.html`);
    const r = await cli(['compare', join(ROOT, fixture), '-o', file], PLAIN);
    expect(r.code, r.stderr).toBe(0);
    const html = await readFile(file, 'utf8');
    const data = JSON.parse(/id="tblens-data">([^<]*)</.exec(html)![1]) as {
      runs: { summary: { optimizer: string | null; lr: string | null; batch: number | null; dim: number | null } }[];
    };
    const s = data.runs[0].summary;
    expect(s.optimizer).toBe(want.optimizer ?? null);
    expect(s.lr).toContain(want.lr === 1e-4 ? '1e-4' : '1e-7');
    // Samples per step: OneTrainer's step is a micro-batch (batch 1), diffusers' an optimizer step (1 × accumulation 2).
    expect(s.batch).toBe(want.pageBatch);
    expect(s.dim).toBe(want.dim);
  });

  it('the text report says the identity and the config file it came from', async () => {
    const r = await cli(['diagnose', join(ROOT, 'ai-toolkit/healthy')], PLAIN);
    expect(r.stdout).toContain('adamw8bit(weight_decay=0.0001) · lr 1e-4');
    expect(r.stdout).toContain('dim 8/alpha 16');
    expect(r.stdout).toMatch(/\n {2}config: fixtures\/trainers\/ai-toolkit\/healthy\/output\/glypha_aitk_healthy\/config\.yaml\n/);
  });

  it('a broken config is one stderr line naming the file and line; the run is still diagnosed', async () => {
    const cases: [string, string, string, RegExp][] = [
      [
        'onetrainer/healthy',
        'workspace/config/2026-11-30_10-00-00.json',
        '{\n  "learning_rate": 0.0001,\n  "batch_size": ,\n}\n',
        /2026-11-30_10-00-00\.json: line 3: not valid JSON/,
      ],
      ['ai-toolkit/healthy', 'output/glypha_aitk_healthy/config.yaml', 'job: extension\nconfig:\n  name: [glypha\n', /config\.yaml: line \d+: not valid YAML/],
      ['simpletuner/healthy', 'config/config.json', '{"--learning_rate": 1e-4,,}', /config\.json: line 1: not valid JSON/],
    ];
    for (const [fixture, config, text, line] of cases) {
      const copy = join(dir(), 'broken', fixture);
      await cp(join(ROOT, fixture), copy, { recursive: true });
      await writeFile(join(copy, config), text);
      const r = await diagnoseJson(copy);
      expect(r.code, fixture).toBe(0);
      expect(r.stderr.trim().split('\n'), fixture).toEqual([expect.stringMatching(line)]);
      expect(r.stderr).toContain('read without this config');
      expect(r.runs.length).toBe(1);
      expect(r.runs[0].identity.configPath).toBeUndefined();
    }
  });

  it("a file of a config's name too big to be one is not read into memory: one line, the run still diagnosed", async () => {
    const copy = join(dir(), 'big', 'ai-toolkit');
    await cp(join(ROOT, 'ai-toolkit/healthy'), copy, { recursive: true });
    await writeFile(join(copy, 'output/glypha_aitk_healthy/config.yaml'), `# ${'x'.repeat(5 * 1024 * 1024)}\n`);
    const r = await diagnoseJson(copy);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/config\.yaml: larger than 4 MiB, not read; the run's identity is read without this config$/),
    ]);
    expect(r.runs[0].identity.source).toBe('none');
  });

  it("SimpleTuner's config.toml and older config.env are read the same way", async () => {
    const files: [string, string][] = [
      ['config.toml', '"--tracker_project_name" = "glypha-simpletuner"\n"--optimizer" = "adamw_bf16"\n"--lora_rank" = 8\n'],
      ['config.env', "export TRACKER_PROJECT_NAME='glypha-simpletuner'\nexport OPTIMIZER=adamw_bf16 # comment\nexport LORA_RANK=8\n"],
    ];
    for (const [name, body] of files) {
      const copy = join(dir(), 'simpletuner-formats', name);
      await cp(join(ROOT, 'simpletuner/healthy'), copy, { recursive: true });
      await rm(join(copy, 'config/config.json'));
      await writeFile(join(copy, 'config', name), body);
      const r = await diagnoseJson(copy);
      expect(r.stderr, name).toBe('');
      expect(r.runs[0].identity.configPath, name).toMatch(new RegExp(`config/${name.replace('.', '\\.')}$`));
      expect(r.runs[0].identity.networkDim).toBe(8);
    }
  });

  it('a config of another job or project is not read', async () => {
    const copy = join(dir(), 'other', 'simpletuner');
    await cp(join(ROOT, 'simpletuner/healthy'), copy, { recursive: true });
    const path = join(copy, 'config/config.json');
    const c = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...c, '--tracker_project_name': 'another-project', '--optimizer': 'prodigy' }));
    const r = await diagnoseJson(copy);
    // The logged hparams still speak (their optimizer), the other project's config does not.
    expect(r.runs[0].identity.optimizer?.name).toBe('adamw_bf16');
    expect(r.runs[0].identity.configPath).toMatch(/hparams\.yml$/);
  });

  it('the accelerate add_hparams side directory is folded into its run, never a run of its own', async () => {
    for (const fixture of ['diffusers-dreambooth/healthy', 'diffusers-text_to_image/nan', 'simpletuner/healthy']) {
      const r = await diagnoseJson(join(ROOT, fixture));
      expect(
        r.runs.map((x) => x.run),
        fixture,
      ).toEqual([fixture.split('/')[1]]);
    }
    const compare = await cli(['compare', join(ROOT, 'diffusers-dreambooth'), '--format', 'markdown'], PLAIN);
    const rows = compare.stdout.split('\n').filter((l) => /^\| (explode|flat|healthy|nan)\b/.test(l));
    expect(rows.length).toBe(4);
    expect(compare.stdout).not.toMatch(/\d{10}\.\d+/);
  });
});
