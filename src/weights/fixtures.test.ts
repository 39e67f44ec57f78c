import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLogdirs } from '../runs/load-logdir.js';
import { linkRunWeights } from './link-files.js';
import { readWeightsSummary } from './read-summary.js';

const root = join(import.meta.dirname, '../../fixtures/kohya');
const labels = JSON.parse(readFileSync(join(root, 'labels.json'), 'utf8')) as { runs: Record<string, any> };
const withWeights = Object.entries(labels.runs).filter(([run, l]) => l.weights && l.safetensors?.length && exists(run));

function exists(run: string): boolean {
  try {
    readFileSync(join(root, run, labels.runs[run].safetensors[0]));
    return true;
  } catch {
    return false;
  }
}

const num = (s: string | undefined) => (s === undefined || s === 'None' ? null : Number(s));

describe('fixtures/kohya weights against labels.json', () => {
  it('has the labelled runs to check', () => {
    expect(withWeights.length).toBeGreaterThanOrEqual(12);
  });

  for (const [run, label] of withWeights) {
    it(`${run}: health, modules and metadata`, async () => {
      const w = label.weights;
      const file = join(root, run, label.safetensors[label.safetensors.length - 1]);
      const r = await readWeightsSummary(file);
      if (!r.ok) throw new Error(r.error);
      const s = r.summary;
      expect(s.tensors).toBe(w.n_tensors);
      expect(s.modules).toBe(w.n_modules);
      expect(s.dtypes).toEqual(w.dtypes);
      expect(s.nanTensors.length).toBe(w.tensors_with_nan);
      expect(s.infTensors.length).toBe(w.tensors_with_inf);
      expect(s.nanElements).toBe(w.nan_elements);
      expect(s.infElements).toBe(w.inf_elements);
      expect([...s.infTensors].sort()).toEqual([...w.inf_tensor_names].sort());
      expect(s.zeroUpTensors).toBe(w.all_zero_up_tensors);
      expect(Object.keys(s.metadata).length).toBe(w.metadata_keys);
      const te = r.details.modules.filter((m) => m.group.startsWith('te')).length;
      expect(te).toBe(w.te_modules);
      expect(s.modules - te).toBe(w.unet_modules);
      const alphas = [...new Set(r.details.modules.map((m) => m.alpha))].sort((a, b) => a! - b!);
      expect(alphas).toEqual(w.alpha_values);
      // Largest |lora_up| element: NaN when the file's up tensors hold NaN (labels write "nan").
      const ups = r.details.tensors.filter((t) => t.key.role === 'up');
      const upAbsMax = ups.some((t) => t.health.nan > 0) ? 'nan' : Math.max(...ups.map((t) => Math.max(Math.abs(t.health.min), Math.abs(t.health.max))));
      expect(upAbsMax).toEqual(w.up_absmax_max);
      // healthy files are not flagged; labelled bad files are flagged as such
      const kinds = new Set(label.expected_findings.map((f: any) => f.kind));
      expect(s.nanElements > 0).toBe(kinds.has('nan_weights'));
      expect(s.infElements > 0).toBe(kinds.has('inf_weights'));
      expect(s.upTensors > 0 && s.zeroUpTensors === s.upTensors).toBe(kinds.has('zero_weights'));
      for (const f of label.expected_findings) {
        if (f.kind === 'nan_weights') expect([s.nanTensors.length, s.nanElements]).toEqual([f.tensors, f.elements]);
        if (f.kind === 'inf_weights') expect([s.infTensors.length, s.infElements]).toEqual([f.tensors, f.elements]);
      }
      expect(s.hashMismatch).toBe(false);

      // identity equals what the file's metadata holds, and the labels
      const m = s.metadata;
      const id = s.identity;
      expect(id.optimizer?.raw).toBe(label.ss_optimizer);
      expect(id.optimizer?.name).toBe(label.optimizer);
      expect(id.learningRate).toBe(label.lr);
      expect(id.learningRate).toBe(num(m.ss_learning_rate));
      expect(id.lrScheduler).toBe(label.lr_scheduler);
      expect(id.lrWarmupSteps).toBe(label.lr_warmup_steps);
      expect(id.batchSizePerDevice).toBe(label.batch_size);
      expect(id.totalBatchSize).toBe(num(m.ss_total_batch_size));
      expect(id.gradientAccumulationSteps).toBe(num(m.ss_gradient_accumulation_steps));
      expect(id.maxTrainSteps).toBe(label.max_train_steps);
      expect(id.steps).toBe(label.total_steps);
      expect(s.steps).toBe(label.total_steps);
      expect(id.epochs).toBe(label.epochs);
      expect(s.epoch).toBe(num(m.ss_epoch));
      expect(id.batchesPerEpoch).toBe(label.steps_per_epoch);
      expect(id.networkDim).toBe(label.network_dim);
      expect(id.networkAlpha).toBe(label.network_alpha);
      expect(id.mixedPrecision).toBe(m.ss_mixed_precision);
      expect(id.seed).toBe(num(m.ss_seed));
      expect(id.trainingStartedAt).toBe(Number(m.ss_training_started_at));
      expect(id.trainingFinishedAt).toBe(Number(m.ss_training_finished_at));
      expect(id.sessionId).toBe(m.ss_session_id);
      expect(id.outputName).toBe(m.ss_output_name);
      expect(r.details.parsedMetadata.ss_resolution).toEqual(JSON.parse(m.ss_resolution.replace('(', '[').replace(')', ']')));
    });
  }
});

describe('fixtures/kohya runs link to their own weights files', () => {
  it('every run gets exactly the files labels.json lists (resumed: both checkpoints in order; empty: none)', async () => {
    const loaded = await loadLogdirs([root]);
    if (!loaded.ok) throw new Error(loaded.error);
    const runs = loaded.roots.flatMap((r) => r.runs);
    const result = await linkRunWeights(runs, [root]);
    expect(result.unreadable).toEqual([]);
    expect(result.unlinked).toEqual([]);
    const labelled = Object.entries(labels.runs).filter(([run]) => runs.some((r) => r.name.startsWith(`${run}/`)));
    expect(labelled.length).toBeGreaterThanOrEqual(13);
    for (const [run, label] of labelled) {
      const link = result.runs.find((l) => l.run.startsWith(`${run}/`))!;
      const got = link.files.map((f) =>
        f.path
          .slice(root.length + 1)
          .split('\\')
          .join('/'),
      );
      const want = (label.safetensors ?? []).map((f: string) => `${run}/${f}`);
      expect(got, run).toEqual([...want].sort((a, b) => (/-\d{6}\./.test(a) ? -1 : /-\d{6}\./.test(b) ? 1 : 0)));
      expect(link.ambiguous).toEqual([]);
      for (const f of link.files) expect(f.linkReason).toMatch(/ss_training_started_at .* event file events\.out\.tfevents\./);
      if (got.length === 0) expect(link.note).toMatch(/no weights file found/);
      const bad = label.expected_findings.some((f: any) => f.kind === 'nan_weights' || f.kind === 'inf_weights');
      expect(link.firstNonFinite !== undefined, run).toBe(bad);
    }
    const resumed = result.runs.find((l) => l.run.startsWith('resumed/'))!;
    expect(resumed.files.map((f) => [f.steps, f.epoch])).toEqual([
      [800, 4],
      [2000, 10],
    ]);
  });
});
