import type { OptimizerInfo, RunIdentity } from '../identity/identity.js';

/**
 * What the detectors need to know about an optimizer class: how its lr relates to the per-element
 * step, whether weight decay shrinks weights by lr·wd each step (decoupled, or plain SGD), and the
 * class default for `weight_decay` when `ss_optimizer` does not list it (kohya.md §4.3).
 */
export type OptimizerFamily = 'adam' | 'lion' | 'sgd' | 'adafactor' | 'dadapt' | 'prodigy' | 'schedulefree' | 'unknown';

export interface OptimizerFacts {
  family: OptimizerFamily;
  /** Class name as written, or null when unknown. */
  name: string | null;
  /** weight_decay from the arguments, else the class default; null when the class is unknown. */
  weightDecay: number | null;
  /** Where the value came from. */
  weightDecaySource: 'args' | 'default' | 'unknown';
  /** Decay acts as θ ← θ·(1 − lr·wd) per step, so the budget wd·Σlr applies. */
  decoupled: boolean;
  /** Per-element step ≈ lr (Adam family, Lion sign updates, DAdapt/Prodigy with d·lr). */
  stepIsLr: boolean;
  /** Adafactor with relative_step (lr is the optimizer's own relative step, not a schedule). */
  relativeStep: boolean;
  /** Prodigy/DAdapt initial d (default 1e-6). */
  d0: number | null;
}

interface ClassFacts {
  family: OptimizerFamily;
  wd: number;
  decoupled: boolean;
}

/** Defaults from the libraries' signatures: torch AdamW 0.01, bitsandbytes AdamW8bit 0.01, the rest 0. */
function classFacts(name: string): ClassFacts | null {
  const n = name.toLowerCase();
  if (n.endsWith('schedulefree')) return { family: n.startsWith('prodigy') ? 'prodigy' : 'schedulefree', wd: 0, decoupled: true };
  if (n.startsWith('prodigy')) return { family: 'prodigy', wd: 0, decoupled: true };
  if (n.startsWith('dadapt')) return { family: 'dadapt', wd: 0, decoupled: false };
  if (/^(paged)?adamw/.test(n)) return { family: 'adam', wd: 0.01, decoupled: true };
  if (/^(paged)?adam/.test(n) || n === 'came' || n === 'adan') return { family: 'adam', wd: 0, decoupled: false };
  if (/^(paged)?lion/.test(n)) return { family: 'lion', wd: 0, decoupled: true };
  if (n.startsWith('sgd')) return { family: 'sgd', wd: 0, decoupled: true };
  if (n.startsWith('adafactor')) return { family: 'adafactor', wd: 0, decoupled: true };
  return null;
}

export function optimizerFacts(identity: RunIdentity, hasDlrTags: boolean): OptimizerFacts {
  const opt: OptimizerInfo | undefined = identity.optimizer;
  const cls = opt ? classFacts(opt.name) : null;
  const family: OptimizerFamily = cls?.family ?? (hasDlrTags ? 'prodigy' : 'unknown');
  const args = opt?.args ?? {};
  const argWd = numberArg(args.weight_decay);
  const weightDecay = argWd ?? (cls ? cls.wd : null);
  let decoupled = cls?.decoupled ?? false;
  // DAdaptAdam/Prodigy take `decouple`; Prodigy defaults to True, DAdaptAdam to False.
  if (typeof args.decouple === 'boolean') decoupled = args.decouple;
  const relativeStep = family === 'adafactor' && (args.relative_step === true || (identity.lrScheduler ?? '').startsWith('adafactor'));
  return {
    family,
    name: opt?.name ?? null,
    weightDecay,
    weightDecaySource: argWd !== null ? 'args' : cls ? 'default' : 'unknown',
    decoupled,
    stepIsLr: family === 'adam' || family === 'lion' || family === 'dadapt' || family === 'prodigy',
    relativeStep,
    d0: family === 'prodigy' || family === 'dadapt' ? (numberArg(args.d0) ?? 1e-6) : null,
  };
}

function numberArg(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}
