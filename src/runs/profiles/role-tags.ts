import { isEpochTag, isValidationTag, type LossFlavor } from '../kohya-tags.js';
import { detectTrainer, matches, type TrainerDetection } from './detect-trainer.js';
import { presentTags, type RunShape } from './run-shape.js';
import type { TagPattern, TrainerProfile } from './trainer-profile.js';

/** The tag playing each role in one run, or null / [] when the run has none. */
export interface RoleTags {
  loss: string | null;
  lossSmoothed: string | null;
  epochLoss: string | null;
  lr: string[];
  effectiveLr: string[];
  validation: string | null;
  gradNorm: string | null;
  epoch: string | null;
}

/** First candidate present; a pattern's matches in tag order. */
function first(candidates: readonly TagPattern[], tags: readonly string[], accept: (t: string) => boolean = () => true): string | null {
  for (const p of candidates) {
    const t = tags.find((x) => matches(p, x) && accept(x));
    if (t !== undefined) return t;
  }
  return null;
}

function all(candidates: readonly TagPattern[], tags: readonly string[]): string[] {
  return tags.filter((t) => candidates.some((p) => matches(p, t)) && !isValidationTag(t));
}

/** kohya v0.10 writes each lr group twice (`lr/unet` and `lr/group0`): hide the numbered copies when named groups exist. */
function withoutGroupCopies(tags: string[]): string[] {
  const group = (t: string) => /^lr\/(?:d\*lr\/)?group\d+$/.test(t.trim());
  return tags.some((t) => t.startsWith('lr/') && !group(t) && !/^lr\/d\*lr$/.test(t)) ? tags.filter((t) => !group(t)) : tags;
}

/** Which tag is which role in `run` under `profile`'s naming. */
export function roleTags(run: RunShape, profile: TrainerProfile): RoleTags {
  const tags = presentTags(run);
  const r = profile.roles;
  const stepTraining = (t: string) => !isEpochTag(t) && !isValidationTag(t);
  const lr = withoutGroupCopies(all(r.lr, tags).filter((t) => !r.effectiveLr.some((p) => matches(p, t))));
  return {
    loss: first(r.loss, tags, stepTraining),
    lossSmoothed: first(r.lossSmoothed, tags, stepTraining),
    epochLoss: first(r.epochLoss, tags),
    lr,
    effectiveLr: withoutGroupCopies(all(r.effectiveLr, tags)),
    validation: first(r.validation, tags),
    gradNorm: first(r.gradNorm, tags),
    epoch: first(r.epoch, tags),
  };
}

export interface RunRoles extends TrainerDetection {
  roles: RoleTags;
}

/** detectTrainer + roleTags: the one place the training loss of a run is chosen. */
export function runRoles(run: RunShape): RunRoles {
  const hit = memo.get(run);
  const key = shapeKey(run);
  if (hit && sameKey(hit.key, key)) return hit.roles;
  const detection = detectTrainer(run);
  const roles = { ...detection, roles: roleTags(run, detection.profile) };
  memo.set(run, { key, roles });
  return roles;
}

/**
 * The detectors ask for a run's roles a dozen times (every lossView): profiled on 5,000 small runs that was
 * ~0.45 s of matching the same tags against every profile. A run's roles are remembered while nothing they
 * depend on changed — the tags and their point counts, files, side runs, hparams — so a live run that grows
 * is looked at again.
 */
const memo = new WeakMap<RunShape, { key: ShapeKey; roles: RunRoles }>();

interface ShapeKey {
  tags: number;
  points: number;
  files: number;
  sideRuns: number;
  hparams: unknown;
}

function shapeKey(run: RunShape): ShapeKey {
  let points = 0;
  for (const s of run.scalars.values()) points += s.length;
  return { tags: run.scalars.size, points, files: run.files?.length ?? 0, sideRuns: run.sideRuns?.length ?? 0, hparams: run.hparams };
}

function sameKey(a: ShapeKey, b: ShapeKey): boolean {
  return a.tags === b.tags && a.points === b.points && a.files === b.files && a.sideRuns === b.sideRuns && a.hparams === b.hparams;
}

export interface JudgedLoss {
  tag: string;
  flavor: LossFlavor;
  trainer: TrainerProfile['id'];
}

/**
 * The per-step loss detectors judge, or null when the run logged none its writer's profile names.
 * `configured` (the config's `lossTag`) wins when the run logged it: a trainer with its own loss name.
 */
export function judgedLoss(run: RunShape, configured?: string): JudgedLoss | null {
  const { profile, roles } = runRoles(run);
  if (configured && presentTags(run).includes(configured)) {
    return { tag: configured, flavor: configured === 'loss/current' ? 'kohya' : 'generic', trainer: profile.id };
  }
  if (!roles.loss) return null;
  const flavor: LossFlavor = profile.id !== 'kohya' ? 'generic' : roles.loss === 'loss/current' ? 'kohya' : 'kohya-old';
  return { tag: roles.loss, flavor, trainer: profile.id };
}

/**
 * The loss a person reads (charts, sparklines, status lines): `raw` prefers the per-step loss,
 * `smoothed` the writer's own running mean. When the profile names none, any step-indexed loss-like
 * tag is shown (never judged: judgedLoss stays null for it).
 */
export function displayLossTag(run: RunShape, prefer: 'raw' | 'smoothed'): string | null {
  const { roles } = runRoles(run);
  const pick = prefer === 'raw' ? (roles.loss ?? roles.lossSmoothed) : (roles.lossSmoothed ?? roles.loss);
  if (pick) return pick;
  return presentTags(run).find((t) => /loss/i.test(t) && !/epoch|val|eval|test/i.test(t)) ?? null;
}

/** Every profile's loss tags, per-step first then smoothed and per-epoch: the order charts list them in. */
export function lossTagOrder(profiles: readonly TrainerProfile[]): string[] {
  const out: string[] = [];
  for (const key of ['lossSmoothed', 'loss', 'epochLoss'] as const) {
    for (const p of profiles) for (const c of p.roles[key]) if (typeof c === 'string' && !out.includes(c)) out.push(c);
  }
  return out;
}

/** `OneTrainer (tags loss/train_step, smooth_loss/train_step; steps count micro-batches)` for a report line. */
export function describeTrainer(r: RunRoles): string {
  const tags = [r.roles.loss, r.roles.lossSmoothed, ...r.roles.lr].filter((t): t is string => !!t);
  const notes: string[] = [];
  if (r.profile.steps.unit === 'micro-batch') notes.push('steps count micro-batches');
  if (r.profile.steps.repeatsUnderAccumulation) notes.push('a step may repeat once per micro-batch');
  if (r.profile.steps.logEvery !== null) notes.push(`logs every ${r.profile.steps.logEvery} steps by default`);
  if (r.profile.stopsAtFirstNaN) notes.push('stops at the first NaN');
  const tagText = tags.length > 0 ? `tags ${tags.join(', ')}` : 'no loss tag';
  return `${r.profile.name} (${[tagText, ...notes].join('; ')})`;
}
