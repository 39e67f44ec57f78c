import { PROFILES, GENERIC } from './profiles.js';
import { presentTags, type RunShape } from './run-shape.js';
import type { TagPattern, TrainerProfile } from './trainer-profile.js';

export interface TrainerDetection {
  profile: TrainerProfile;
  /** Why: `tags loss/train_step`, `layout …/tensorboard/<prefix><date>`, `hparams gradient_accumulation_steps`, … */
  evidence: string[];
}

export function matches(p: TagPattern, tag: string): boolean {
  return typeof p === 'string' ? p === tag : p.test(tag);
}

/** Tags of the first tag set the run wrote completely, or null. */
function tagEvidence(set: readonly TagPattern[][], tags: readonly string[]): string[] | null {
  for (const group of set) {
    const hit: string[] = [];
    for (const p of group) {
      const t = tags.find((x) => matches(p, x));
      if (t === undefined) break;
      hit.push(t);
    }
    if (hit.length === group.length) return hit;
  }
  return null;
}

function paths(run: RunShape): string[] {
  const out = [run.dir, run.name, ...(run.files ?? []).map((f) => f.path)].filter((p): p is string => !!p);
  // Windows paths: the layout patterns are written with `/`.
  return out.map((p) => p.replace(/\\/g, '/').replace(/\/+$/, ''));
}

/** Points only every N steps (N > 1, all steps multiples of N): ai-toolkit's `log_every`. */
function strideOf(run: RunShape, tag: string): number | null {
  const s = run.scalars.get(tag);
  const steps = s?.steps;
  // `length`, not steps.length: a live series builder's columns have spare capacity.
  if (!s || !steps || s.length < 3) return null;
  const n = steps[1] - steps[0];
  if (!(n > 1)) return null;
  for (let i = 1; i < s.length; i++) if (steps[i] - steps[i - 1] !== n || steps[i] % n !== 0) return null;
  return n;
}

function evidenceFor(profile: TrainerProfile, run: RunShape, tags: readonly string[]): { score: number; evidence: string[] } | null {
  const hit = tagEvidence(profile.recognise.tagSets, tags);
  if (!hit) return null;
  const evidence = [`tags ${hit.join(', ')}`];
  let extra = 0;
  const layout = paths(run).find((p) => profile.recognise.layout.some((re) => re.test(p)));
  if (layout !== undefined) {
    evidence.push(`layout ${layout.split('/').slice(-3).join('/')}`);
    extra++;
  }
  const keys = profile.recognise.hparamKeys.filter((k) => run.hparams && k in run.hparams);
  if (keys.length > 0) {
    evidence.push(`hparams ${keys.join(', ')}`);
    extra++;
  }
  if (profile.steps.repeatsUnderAccumulation && (run.sideRuns?.length ?? 0) > 0) {
    evidence.push('accelerate hparams side directory');
    extra++;
  }
  if (profile.steps.logEvery !== null) {
    const stride = strideOf(run, hit[0]);
    if (stride !== null) {
      evidence.push(`a point every ${stride} steps`);
      extra++;
    }
  }
  // Tags shared with other writers (`loss` + `lr`) name a writer only with something else beside them.
  if (profile.recognise.tagsAmbiguous && extra === 0) return null;
  return { score: hit.length * 2 + extra, evidence };
}

/**
 * Which program wrote a run, from its tags, its directory layout, its hparams and its logging
 * interval. The generic fallback when no profile has evidence: its loss is then judged only under
 * the exact generic names.
 */
export function detectTrainer(run: RunShape): TrainerDetection {
  const tags = presentTags(run);
  let best: { profile: TrainerProfile; score: number; evidence: string[] } | null = null;
  for (const profile of PROFILES) {
    const e = evidenceFor(profile, run, tags);
    if (e && (!best || e.score > best.score)) best = { profile, ...e };
  }
  return best ? { profile: best.profile, evidence: best.evidence } : { profile: GENERIC, evidence: ["no known trainer's tags"] };
}
