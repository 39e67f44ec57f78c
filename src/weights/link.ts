import { basename } from 'node:path';
import { formatUnixTime } from '../identity/unix-time.js';
import { directoryDistance, parentDir, runTimes, type LinkableRun, type RunTimes } from './run-times.js';
import type { WeightsSummary } from './summary.js';

/**
 * Linking a LoRA file to the run that trained it (kohya.md §1): `ss_training_started_at` (unix)
 * comes first, then the run directory is made (local time), then the event file (`<unix10>`, after
 * latent caching). Event-file times are preferred; the directory time is a fallback whose zone is
 * unknown, so any whole-hour offset up to ±14 h is allowed for it.
 */
export const LINK_RULES = {
  /** Event-file time may be this much before the recorded start (clock rounding, fs granularity). */
  eventBefore: 120,
  /** … and this much after (model loading, latent and text-encoder caching). */
  eventAfter: 30 * 60,
  /** Directory time (after the whole-hour shift) may be this much before / after the start. */
  dirBefore: 120,
  dirAfter: 15 * 60,
  /** Runs whose time differences are within this of the best are tied on time. */
  timeTie: 120,
  maxHourOffset: 14,
};

export interface RunWeightsLink {
  run: string;
  dir: string;
  /** Linked files ordered by training progress (steps, epoch, name): checkpoints first, final last. Each has `linkReason`. */
  files: WeightsSummary[];
  /** First file in that order holding NaN or ±Inf. */
  firstNonFinite?: { path: string; steps?: number; epoch?: number; nanElements: number; infElements: number };
  /** Files that matched this run as well as another one equally well: not linked, listed. */
  ambiguous: { path: string; reason: string }[];
  /** Stated when nothing was linked. */
  note?: string;
}

export interface WeightsLinks {
  runs: RunWeightsLink[];
  /** Candidates linked to no run, with the reason. */
  unlinked: { path: string; reason: string }[];
}

interface Match {
  run: LinkableRun;
  kind: 'event' | 'dir';
  /** Seconds from the recorded start to the run's time (after the hour shift for `dir`). */
  delta: number;
  what: string;
  distance: number;
  nameMatch: boolean;
}

export function linkWeights(runs: LinkableRun[], candidates: WeightsSummary[]): WeightsLinks {
  const times = new Map<LinkableRun, RunTimes>(runs.map((r) => [r, runTimes(r)]));
  const linked = new Map<LinkableRun, { file: WeightsSummary; match: Match; name: string }[]>(runs.map((r) => [r, []]));
  const ambiguous = new Map<LinkableRun, { path: string; reason: string }[]>(runs.map((r) => [r, []]));
  const unlinked: WeightsLinks['unlinked'] = [];
  const tied: TiedFile[] = [];
  for (const c of candidates) {
    const started = c.identity.trainingStartedAt;
    if (started === undefined || !Number.isFinite(started)) {
      unlinked.push({ path: c.path, reason: 'no ss_training_started_at in its metadata' });
      continue;
    }
    const name = outputName(c);
    const matches: Match[] = [];
    for (const run of runs) {
      const m = matchRun(run, times.get(run)!, started, c.path, name);
      if (m) matches.push(m);
    }
    const { picked, tiedOnTime } = pick(matches);
    if (picked.length === 0) {
      unlinked.push({ path: c.path, reason: `no run started near ss_training_started_at ${iso(started)}` });
    } else if (picked.length === 1) {
      linked.get(picked[0].run)!.push({ file: { ...c, linkReason: reason(picked[0], started, tiedOnTime) }, match: picked[0], name });
    } else {
      tied.push({ file: c, picked, name, started });
    }
  }
  // Files tied between runs (the GUI's several runs of one project, started seconds apart): one
  // training session per run, so the sessions are assigned to the runs jointly, by the best unique assignment.
  for (const t of assignSessions(tied, linked)) {
    if (t.run) {
      const m = t.picked.find((p) => p.run === t.run)!;
      linked.get(t.run)!.push({ file: { ...t.file, linkReason: `${reason(m, t.started, 1)}; ${t.why}` }, match: m, name: t.name });
      continue;
    }
    const names = t.picked.map((m) => m.run.name).join(', ');
    for (const m of t.picked) ambiguous.get(m.run)!.push({ path: t.file.path, reason: `matches ${t.picked.length} runs equally well (${names}); not linked` });
    unlinked.push({ path: t.file.path, reason: `ambiguous between runs ${names}` });
  }
  return {
    runs: runs.map((run) => {
      const files = oneOutputName(linked.get(run)!, ambiguous.get(run)!, unlinked);
      return settleRunLink({ run: run.name, dir: run.dir, files: files.sort(byProgress), ambiguous: ambiguous.get(run)! }, candidates.length);
    }),
    unlinked,
  };
}

interface TiedFile {
  file: WeightsSummary;
  picked: Match[];
  name: string;
  started: number;
}

/** Largest number of tied sessions (and runs) assigned by exhaustive search; beyond it they stay ambiguous. */
const MAX_ASSIGN = 7;

/**
 * Resolves files tied between runs. Files of one training session (`ss_session_id`, else output
 * name + `ss_training_started_at`: every checkpoint of a run carries the same) go to one run, and
 * each run trains one session, so the sessions are matched to the runs at once: of all one-to-one
 * assignments, the one with the least Σ delta² (seconds from each session's start to its run's
 * event file). Squared, because caching delays are similar: runs started seconds apart keep their
 * order (Σ|delta| is the same for both orders). Runs that already hold a file of another session
 * are not candidates. Only when the best assignment is not unique are the files ambiguous.
 */
function assignSessions(
  tied: TiedFile[],
  linked: Map<LinkableRun, { file: WeightsSummary; match: Match; name: string }[]>,
): (TiedFile & { run?: LinkableRun; why?: string })[] {
  if (tied.length === 0) return [];
  const sessionOf = (t: TiedFile) => t.file.identity.sessionId ?? `${t.name}|${t.started}`;
  const heldBy = new Map<LinkableRun, Set<string>>();
  for (const [run, entries] of linked)
    heldBy.set(run, new Set(entries.map((e) => e.file.identity.sessionId ?? `${e.name}|${e.file.identity.trainingStartedAt}`)));
  const sessions = new Map<string, TiedFile[]>();
  for (const t of tied) sessions.set(sessionOf(t), [...(sessions.get(sessionOf(t)) ?? []), t]);
  const keys = [...sessions.keys()];
  // Per session, the runs it may go to (in every one of its files' tie) with its delta there.
  const options = keys.map((k) => {
    const files = sessions.get(k)!;
    const runs = files[0].picked
      .map((m) => m.run)
      .filter((r) => files.every((f) => f.picked.some((m) => m.run === r)) && [...(heldBy.get(r) ?? [])].every((s) => s === k));
    return runs.map((run) => ({ run, cost: files[0].picked.find((m) => m.run === run)!.delta ** 2 }));
  });
  let best = Infinity;
  let second = Infinity;
  let bestPick: LinkableRun[] = [];
  const runsInvolved = new Set(options.flatMap((o) => o.map((x) => x.run)));
  if (keys.length <= MAX_ASSIGN && runsInvolved.size <= MAX_ASSIGN) {
    const chosen: LinkableRun[] = [];
    const search = (i: number, cost: number) => {
      if (cost > second) return;
      if (i === keys.length) {
        if (cost < best) {
          second = best;
          best = cost;
          bestPick = [...chosen];
        } else if (cost < second) second = cost;
        return;
      }
      for (const o of options[i]) {
        if (chosen.includes(o.run)) continue;
        chosen.push(o.run);
        search(i + 1, cost + o.cost);
        chosen.pop();
      }
    };
    search(0, 0);
  }
  // Unique: the runner-up costs clearly more (1 s² absorbs float noise in the recorded start times).
  const unique = Number.isFinite(best) && !(second <= best + 1);
  return keys.flatMap((k, i) =>
    sessions.get(k)!.map((t) =>
      unique
        ? {
            ...t,
            run: bestPick[i],
            why: `${t.picked.length} runs started within ${LINK_RULES.timeTie / 60} min of it; assigned with the other sessions by the best one-to-one fit of start times (Σ delta² ${Math.round(best)} s² vs ${Number.isFinite(second) ? `${Math.round(second)} s²` : 'no other'} for the next best)`,
          }
        : t,
    ),
  );
}

/**
 * One run saves under one output name (its checkpoints and final file, across resumes). When files
 * of several output names fit a run's time window (the run's own file was not among the candidates,
 * or two trainings started minutes apart), a name is dropped only when another clearly fits better:
 * it is the run's log prefix and this one is not, or its start is more than the time tie closer.
 * Dropped files are listed, not linked; names that fit equally well all stay.
 */
function oneOutputName(
  entries: { file: WeightsSummary; match: Match; name: string }[],
  ambiguous: { path: string; reason: string }[],
  unlinked: WeightsLinks['unlinked'],
): WeightsSummary[] {
  if (new Set(entries.map((e) => e.name)).size <= 1) return entries.map((e) => e.file);
  const better = (a: Match, b: Match) => (a.nameMatch !== b.nameMatch ? a.nameMatch : Math.abs(a.delta) + LINK_RULES.timeTie < Math.abs(b.delta));
  const best = entries.reduce((a, b) => (better(b.match, a.match) ? b : a));
  const kept: WeightsSummary[] = [];
  for (const e of entries) {
    if (e.name === best.name || !better(best.match, e.match)) {
      kept.push(e.file);
      continue;
    }
    const why = `output name "${e.name}" differs from "${best.name}", which fits this run better (${best.match.nameMatch ? 'it is the log prefix' : 'closer start time'}); not linked`;
    ambiguous.push({ path: e.file.path, reason: why });
    unlinked.push({ path: e.file.path, reason: why });
  }
  return kept;
}

/** Sets `firstNonFinite` and the no-weights `note` from a run's linked files (again after they are re-read). */
export function settleRunLink(link: RunWeightsLink, candidates: number): RunWeightsLink {
  delete link.firstNonFinite;
  delete link.note;
  const bad = link.files.find((f) => f.nanElements + f.infElements > 0);
  if (bad) link.firstNonFinite = { path: bad.path, steps: bad.steps, epoch: bad.epoch, nanElements: bad.nanElements, infElements: bad.infElements };
  if (link.files.length === 0) {
    link.note =
      link.ambiguous.length > 0
        ? `no weights file linked: ${link.ambiguous.length} ambiguous candidate(s)`
        : `no weights file found (${candidates} candidate file(s) checked)`;
  }
  return link;
}

function matchRun(run: LinkableRun, t: RunTimes, started: number, path: string, name: string): Match | undefined {
  const base = { run, distance: directoryDistance(parentDir(path), run.dir), nameMatch: nameMatches(run, t, name) };
  let best: Match | undefined;
  for (const e of t.eventTimes) {
    const delta = e.time - started;
    if (delta < -LINK_RULES.eventBefore || delta > LINK_RULES.eventAfter) continue;
    if (!best || Math.abs(delta) < Math.abs(best.delta))
      best = { ...base, kind: 'event', delta, what: `event file ${e.file}${e.from === 'wall_time' ? ' (first wall time)' : ''}` };
  }
  if (best) return best;
  if (t.dirTime) {
    const raw = t.dirTime.time - started;
    const hours = Math.round(raw / 3600);
    const delta = raw - hours * 3600;
    if (Math.abs(hours) <= LINK_RULES.maxHourOffset && delta >= -LINK_RULES.dirBefore && delta <= LINK_RULES.dirAfter) {
      const zone = hours === 0 ? 'UTC' : `UTC${hours > 0 ? '+' : '−'}${Math.abs(hours)} h`;
      return { ...base, kind: 'dir', delta, what: `log directory ${t.dirTime.component} (read as ${zone})` };
    }
  }
  return undefined;
}

/** Event matches beat directory-only ones; then nearest in time (2-min ties), nearest directory, matching output name. */
function pick(matches: Match[]): { picked: Match[]; tiedOnTime: number } {
  if (matches.length === 0) return { picked: [], tiedOnTime: 0 };
  let pool = matches.some((m) => m.kind === 'event') ? matches.filter((m) => m.kind === 'event') : matches;
  const bestTime = Math.min(...pool.map((m) => Math.abs(m.delta)));
  pool = pool.filter((m) => Math.abs(m.delta) <= bestTime + LINK_RULES.timeTie);
  const tiedOnTime = pool.length;
  const nearest = Math.min(...pool.map((m) => m.distance));
  pool = pool.filter((m) => m.distance === nearest);
  if (pool.length > 1 && pool.some((m) => m.nameMatch)) pool = pool.filter((m) => m.nameMatch);
  return { picked: pool, tiedOnTime };
}

function reason(m: Match, started: number, tiedOnTime: number): string {
  const sign = m.delta >= 0 ? 'before' : 'after';
  const parts = [`ss_training_started_at ${iso(started)} is ${Math.round(Math.abs(m.delta))} s ${sign} ${m.what}`];
  if (tiedOnTime > 1) {
    parts.push(
      `${tiedOnTime} runs started within ${LINK_RULES.timeTie / 60} min of it; this one has the nearest directory (${m.distance} step(s) from the file)${m.nameMatch ? ' and the output name as its log prefix' : ''}`,
    );
  } else if (m.nameMatch) parts.push('output name matches the log prefix');
  return parts.join('; ');
}

function outputName(c: WeightsSummary): string {
  return (
    c.identity.outputName ??
    basename(c.path)
      .replace(/\.safetensors$/i, '')
      .replace(/-\d{6}$/, '')
  );
}

function nameMatches(run: LinkableRun, t: RunTimes, name: string): boolean {
  if (!name) return false;
  // kohya --log_config hparams (folded in from the side directory) hold the run's output_name: the strongest tie-break.
  if (typeof run.hparams?.output_name === 'string' && run.hparams.output_name === name) return true;
  const prefix = t.dirTime?.prefix.replace(/[-_. ]+$/, '');
  if (prefix && prefix === name) return true;
  return run.dir.split(/[\\/]/).includes(name);
}

/** Training order: steps, then epoch, then the final file (no `-NNNNNN` suffix) after its checkpoints. */
function byProgress(a: WeightsSummary, b: WeightsSummary): number {
  const sa = a.steps ?? Infinity;
  const sb = b.steps ?? Infinity;
  if (sa !== sb) return sa - sb;
  const ea = a.epoch ?? Infinity;
  const eb = b.epoch ?? Infinity;
  if (ea !== eb) return ea - eb;
  return checkpointIndex(a.path) - checkpointIndex(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

function checkpointIndex(path: string): number {
  const m = /-(\d{6})\.safetensors$/i.exec(path);
  return m ? Number(m[1]) : Infinity;
}

function iso(unix: number): string {
  return formatUnixTime(unix, 'T');
}
