import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnoseRun } from '../../detect/diagnose.js';
import { NO_IDENTITY } from '../../detect/input.js';
import { lossView } from '../../detect/loss-view.js';
import { loadRoot } from '../../../test/support/detect-fixtures.js';
import type { Run } from '../types.js';
import { describeTrainer, detectTrainer, judgedLoss, roleTags, runRoles, shapeFromTags } from './index.js';

/** Runs written by fixtures/trainers/generate.py with torch's SummaryWriter, labelled in its labels.json. */
const ROOT = 'fixtures/trainers';
const labels = JSON.parse(readFileSync(join(ROOT, 'labels.json'), 'utf8')) as {
  runs: Record<
    string,
    { trainer: string; variant: string; event_dir: string; tensorboard?: boolean; expected_findings: { kind: string; first_step?: number }[] }
  >;
};
const tbRuns = Object.entries(labels.runs).filter(([, l]) => l.tensorboard !== false);

async function runAt(eventDir: string): Promise<Run> {
  const root = eventDir.split('/').slice(0, 2).join('/');
  const runs = await loadRoot(join(ROOT, root));
  const rel = eventDir.split('/').slice(2).join('/');
  const run = runs.find((r) => r.name === rel);
  if (!run) throw new Error(`no run ${rel} under ${root}: ${runs.map((r) => r.name).join(', ')}`);
  return run;
}

const EXPECT: Record<string, { id: string; loss: string; smoothed: string | null; lr: string[] }> = {
  onetrainer: { id: 'onetrainer', loss: 'loss/train_step', smoothed: 'smooth_loss/train_step', lr: ['lr/unet'] },
  'ai-toolkit': { id: 'ai-toolkit', loss: 'loss', smoothed: null, lr: ['lr'] },
  simpletuner: { id: 'simpletuner', loss: 'train_loss', smoothed: null, lr: ['learning_rate'] },
  'diffusers-dreambooth': { id: 'diffusers', loss: 'loss', smoothed: null, lr: ['lr'] },
  'diffusers-text_to_image': { id: 'diffusers', loss: 'train_loss', smoothed: null, lr: [] },
};

describe('trainer profiles on runs written the way each trainer writes them', () => {
  it.each(tbRuns)('%s: the writer is recognised and its loss is the judged series', async (key, label) => {
    const run = await runAt(label.event_dir);
    const found = runRoles(run);
    const want = EXPECT[label.trainer];
    expect(found.profile.id, found.evidence.join('; ')).toBe(want.id);
    expect(found.roles.loss).toBe(want.loss);
    expect(found.roles.lossSmoothed).toBe(want.smoothed);
    expect(found.roles.lr).toEqual(want.lr);
    expect(lossView(run)?.tag).toBe(want.loss);
    expect(describeTrainer(found)).toContain(`tags ${want.loss}`);
    expect(key).toContain(label.trainer);
  });

  it('SimpleTuner: epoch and grad_norm roles; accelerate side directories fold into the run', async () => {
    const run = await runAt(labels.runs['simpletuner/healthy'].event_dir);
    const roles = roleTags(run, detectTrainer(run).profile);
    expect(roles.epoch).toBe('epoch');
    expect(roles.gradNorm).toBe('grad_norm');
    expect(run.sideRuns.length).toBe(1);
    expect(run.hparams.tracker_project_name).toBe('glypha-simpletuner');
  });

  it('the report names the profile: OneTrainer with its micro-batch steps and stop at the first NaN', async () => {
    const run = await runAt(labels.runs['onetrainer/nan'].event_dir);
    expect(describeTrainer(runRoles(run))).toBe(
      'OneTrainer (tags loss/train_step, smooth_loss/train_step, lr/unet; steps count micro-batches; stops at the first NaN)',
    );
  });

  it('an exploding OneTrainer run is no longer OK: the explosion is found near its labelled step', async () => {
    const label = labels.runs['onetrainer/explode'];
    const run = await runAt(label.event_dir);
    const findings = diagnoseRun({ run, identity: NO_IDENTITY, weights: [] });
    const explosion = findings.find((f) => f.kind === 'explosion');
    expect(explosion, findings.map((f) => f.kind).join(', ')).toBeDefined();
    expect(explosion!.severity).toBe('error');
  });

  it('kohya runs keep the kohya profile and their judged loss (all versions)', () => {
    expect(judgedLoss(shapeFromTags(['loss/current', 'loss/average', 'lr/unet']))).toEqual({ tag: 'loss/current', flavor: 'kohya', trainer: 'kohya' });
    expect(judgedLoss(shapeFromTags(['loss', 'lr', 'epoch_loss']))).toEqual({ tag: 'loss', flavor: 'kohya-old', trainer: 'kohya' });
    // `loss` + `lr` alone could be ai-toolkit or diffusers: without more evidence the generic profile judges `loss`.
    expect(judgedLoss(shapeFromTags(['loss', 'lr']))).toEqual({ tag: 'loss', flavor: 'generic', trainer: 'generic' });
    expect(judgedLoss(shapeFromTags(['train/loss', 'eval/loss']))).toEqual({ tag: 'train/loss', flavor: 'generic', trainer: 'generic' });
    expect(judgedLoss(shapeFromTags(['accuracy', 'my_metric']))).toBeNull();
    const flux = roleTags(
      shapeFromTags(['loss/current', 'lr/unet', 'lr/textencoder 1 ', 'lr/group0', 'lr/group1', 'lr/d*lr/unet', 'norm/avg_grad_norm']),
      detectTrainer(shapeFromTags(['loss/current'])).profile,
    );
    expect(flux.lr).toEqual(['lr/textencoder 1 ', 'lr/unet']);
    expect(flux.effectiveLr).toEqual(['lr/d*lr/unet']);
    expect(flux.gradNorm).toBe('norm/avg_grad_norm');
  });

  it('the kohya fixtures are still recognised as kohya', async () => {
    const runs = await loadRoot('fixtures/kohya');
    const withLoss = runs.filter((r) => (r.scalars.get('loss/current')?.length ?? 0) > 0);
    expect(withLoss.length).toBeGreaterThan(5);
    for (const r of withLoss) expect(detectTrainer(r).profile.id).toBe('kohya');
  });
});
