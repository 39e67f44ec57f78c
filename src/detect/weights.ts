import { basename } from 'node:path';
import type { WeightsSummary } from '../weights/summary.js';
import type { DetectConfig } from './config.js';
import type { Finding } from './finding.js';
import type { DiagnosisInput } from './input.js';
import { checkpointText, checkpointTimeline } from './checkpoint-timeline.js';
import { lossView } from './loss-view.js';
import { pct, round } from './numbers.js';

/** Per-group zero counts (`te`, `te1`, `down`, `mid`, `up`, `double`, …) when the reader gave them. */
function groupsOf(w: WeightsSummary): { group: string; upTensors: number; zeroUpTensors: number }[] | null {
  return w.groups && w.groups.length > 0 ? w.groups : null;
}

function listNames(names: string[], max = 3): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/**
 * The linked LoRA files: NaN/Inf elements (error: the file produces black images or fails to load),
 * every `lora_up` exactly zero (error: kohya initialises it to zero, so ΔW ≡ 0), a whole group zero
 * while others trained (warning), and a file whose `ss_steps` or hash does not match (notice).
 */
export function detectWeights(input: DiagnosisInput, config: DetectConfig): Finding[] {
  const out: Finding[] = [];
  const run = input.run.name;
  const view = lossView(input.run, config.lossTag);
  const lastLoggedStep = view ? view.series.steps[view.series.length - 1] : NaN;
  for (const w of input.weights) {
    const file = basename(w.path);
    const base = { run, tag: null, step: w.steps ?? null, endStep: null, file: w.path };
    if (w.nanElements > 0) {
      out.push({
        ...base,
        kind: 'nan_weights',
        severity: 'error',
        message: `${file} holds ${w.nanElements} NaN element(s) in ${w.nanTensors.length} of ${w.tensors} tensors (${listNames(w.nanTensors)}); threshold: any NaN.`,
        evidence: {
          nanElements: w.nanElements,
          nanTensors: w.nanTensors.length,
          tensors: w.tensors,
          firstTensor: w.nanTensors[0] ?? null,
          steps: w.steps ?? null,
        },
        advice:
          'This LoRA is unusable (black images / NansException). Find the first NaN step in the log, retrain with bf16, a lower learning rate and --max_grad_norm 1.0, and use a checkpoint saved before the onset.',
        confidence: 'high',
      });
    }
    if (w.infElements > 0) {
      out.push({
        ...base,
        kind: 'inf_weights',
        severity: 'error',
        message: `${file} holds ${w.infElements} ±Inf element(s) in ${w.infTensors.length} of ${w.tensors} tensors (${listNames(w.infTensors)}); threshold: any Inf.`,
        evidence: {
          infElements: w.infElements,
          infTensors: w.infTensors.length,
          tensors: w.tensors,
          firstTensor: w.infTensors[0] ?? null,
          dtypes: w.dtypes.join(','),
          steps: w.steps ?? null,
        },
        advice: w.dtypes.includes('F16')
          ? 'Values overflowed the fp16 save format (max 65504): save in bf16 or fp32 (--save_precision), or lower the learning rate / use --scale_weight_norms so weights stay small.'
          : 'Infinite weights make the LoRA unusable: retrain with a lower learning rate and gradient clipping.',
        confidence: 'high',
      });
    }
    if (w.upTensors > 0 && w.zeroUpTensors === w.upTensors) {
      out.push({
        ...base,
        kind: 'zero_weights',
        severity: 'error',
        message: `Every one of the ${w.upTensors} lora_up tensors in ${file} is exactly zero, as kohya initialises them: the LoRA has no effect (ΔW ≡ 0).`,
        evidence: { upTensors: w.upTensors, zeroUpTensors: w.zeroUpTensors, steps: w.steps ?? null, mixedPrecision: input.identity.mixedPrecision ?? null },
        advice:
          input.identity.mixedPrecision === 'fp16'
            ? 'With fp16, an overflow at every step makes the scaler skip every optimizer step: train in bf16, lower the learning rate. Also check the learning rate is not 0.'
            : 'No optimizer step changed the weights: check the learning rate (and Prodigy d0), that the network is actually trained (gradient checkpointing bug sd-scripts#91), and that the file is the final one.',
        confidence: 'high',
      });
    } else if (w.zeroUpTensors > 0) {
      const groups = groupsOf(w);
      const zeroGroups = groups?.filter((g) => g.upTensors > 0 && g.zeroUpTensors === g.upTensors) ?? null;
      if (zeroGroups === null || zeroGroups.length > 0) {
        const which =
          zeroGroups && zeroGroups.length > 0
            ? `the whole ${zeroGroups.map((g) => g.group).join(', ')} group(s) (${zeroGroups.reduce((a, g) => a + g.zeroUpTensors, 0)} tensors)`
            : `${w.zeroUpTensors} of ${w.upTensors} lora_up tensors`;
        // A text encoder trained at lr 0 stays zero by configuration (kohya drops the group: "NO LR skipping!").
        const te = input.identity.textEncoderLr;
        const teOff = te === 0 || (Array.isArray(te) && te.length > 0 && te.every((x) => x === 0));
        const asConfigured = teOff && zeroGroups !== null && zeroGroups.length > 0 && zeroGroups.every((g) => g.group.startsWith('te'));
        out.push({
          ...base,
          kind: 'zero_weight_group',
          severity: asConfigured ? 'notice' : zeroGroups ? 'warning' : w.zeroUpTensors / w.upTensors >= 0.5 ? 'warning' : 'notice',
          message: `In ${file}, ${which} never moved from zero while the other lora_up tensors trained (${pct(w.zeroUpTensors / w.upTensors)} zero)${asConfigured ? ', as configured (text_encoder_lr 0)' : ''}.`,
          evidence: {
            upTensors: w.upTensors,
            zeroUpTensors: w.zeroUpTensors,
            zeroShare: round(w.zeroUpTensors / w.upTensors),
            zeroGroups: zeroGroups ? zeroGroups.map((g) => g.group).join(',') : null,
          },
          advice:
            'A group that stays zero was frozen or got lr 0 (e.g. down blocks with --network_train_unet_only, sd-scripts#821; text encoder with text_encoder_lr 0). Check the per-group learning rates and block weights.',
          confidence: zeroGroups ? 'high' : 'medium',
        });
      }
    }
    const mismatch = stepsMismatch(w, lastLoggedStep, config);
    if (mismatch !== null || w.hashMismatch) {
      out.push({
        ...base,
        kind: 'weights_mismatch',
        severity: 'notice',
        message: [
          mismatch !== null
            ? `${file} says ss_steps = ${w.steps} but the log's last step is ${lastLoggedStep} (difference ${pct(mismatch)}, threshold ${pct(config.weights.stepsMismatchShare)})`
            : '',
          w.hashMismatch ? `${file}'s data does not match its sshs_model_hash (edited or damaged after saving)` : '',
        ]
          .filter(Boolean)
          .join('; ')
          .concat('.'),
        evidence: {
          steps: w.steps ?? null,
          lastLoggedStep: Number.isFinite(lastLoggedStep) ? lastLoggedStep : null,
          hashMismatch: w.hashMismatch ?? false,
          linkReason: w.linkReason ?? null,
        },
        advice:
          'Make sure this file belongs to this run (an intermediate save, or a different run with the same output name); findings that combine both may not apply.',
        confidence: 'medium',
      });
    }
  }
  return withTimeline(out, input);
}

/**
 * With several checkpoints, every broken-weights finding also says from which checkpoint the weights
 * are broken and which is the last good one (the file to keep), in its message, advice and evidence.
 */
function withTimeline(findings: Finding[], input: DiagnosisInput): Finding[] {
  if (input.weights.length < 2) return findings;
  const te = input.identity.textEncoderLr;
  const teOff = te === 0 || (Array.isArray(te) && te.length > 0 && te.every((x) => x === 0));
  const t = checkpointTimeline(input.weights, teOff);
  if (!t.firstBroken) return findings;
  const keep = t.lastGood ? `keep ${checkpointText(t.lastGood)}, the last good one` : 'no earlier checkpoint is good';
  const sentence = `the checkpoints are broken from ${checkpointText(t.firstBroken)} on (${t.files} files); ${keep}`;
  const evidence = {
    checkpoints: t.files,
    firstBrokenCheckpoint: t.firstBroken.file,
    firstNonFiniteCheckpoint: t.firstNonFinite?.file ?? null,
    firstZeroCheckpoint: t.firstZero?.file ?? null,
    lastGoodCheckpoint: t.lastGood?.file ?? null,
    lastGoodEpoch: t.lastGood?.epoch ?? null,
    lastGoodStep: t.lastGood?.steps ?? null,
  };
  return findings.map((f) =>
    f.kind === 'nan_weights' || f.kind === 'inf_weights' || f.kind === 'zero_weights' || (f.kind === 'zero_weight_group' && f.severity !== 'notice')
      ? {
          ...f,
          message: `${f.message.slice(0, -1)}; ${sentence}.`,
          evidence: { ...f.evidence, ...evidence },
          advice: t.lastGood ? `Use ${t.lastGood.file} (saved before the weights broke). ${f.advice}` : f.advice,
        }
      : f,
  );
}

/** The final file's steps vs the log (intermediate saves are expected to be earlier and are not flagged). */
function stepsMismatch(w: WeightsSummary, lastLoggedStep: number, config: DetectConfig): number | null {
  if (w.steps === undefined || !Number.isFinite(lastLoggedStep) || lastLoggedStep <= 0) return null;
  if (w.steps <= lastLoggedStep) return null;
  const share = (w.steps - lastLoggedStep) / lastLoggedStep;
  return share > config.weights.stepsMismatchShare ? share : null;
}
