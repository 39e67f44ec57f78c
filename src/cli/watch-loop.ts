import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { basename } from 'node:path';
import { identityOf } from '../analyze/analyze.js';
import { configIdentity, configProblemLine } from '../analyze/config-identity.js';
import { DEFAULT_CONFIG, type DetectConfig } from '../detect/config.js';
import { diagnoseRun } from '../detect/diagnose.js';
import { compareFindings, type Finding } from '../detect/finding.js';
import { newAlerts, stopsWatch, type AlertMemory } from '../detect/live/alerts.js';
import { evaluationDue, markEvaluated, newLiveRun, observeScalar, requestEvaluation, type EvalReason, type LiveRun } from '../detect/live/live-run.js';
import { paint, type Paint } from '../report/color.js';
import { termText } from '../report/escape.js';
import { alertEnv, alertJson, alertText } from '../report/watch/watch-alert.js';
import { clearBlock, progressLine, redrawBlock, statusLine, type RunPhase, type RunStatus } from '../report/watch/watch-status.js';
import { newLogdirFollower, pollLogdir, snapshotLogdir, viewLogdir, type LogdirFollower } from '../runs/follow/follow-logdir.js';
import type { FollowedRun } from '../runs/follow/follow-run.js';
import { noteLine } from '../runs/follow/notes.js';
import { hparamsMaxSteps, runProgress } from '../runs/follow/progress.js';
import { isSqliteLogName } from '../runs/sqlite-log-name.js';
import type { Run } from '../runs/types.js';
import type { RunIdentity } from '../identity/identity.js';
import type { WeightsSummary } from '../weights/summary.js';
import { DEFAULT_EXEC_CONCURRENCY, execQueue } from './watch-exec.js';
import { finalSaveTime, linkedWeights, newWeightsTracker, scanWeights, type WeightsTracker } from './watch-weights.js';
import { runSummary } from './watch-summary.js';

export type ExitOn = 'error' | 'warning' | 'never';

export interface WatchOptions {
  logdir: string;
  /** Polling period (ms); default 2000. */
  intervalMs?: number;
  /** Shell command run once per alert, the finding as JSON on stdin. */
  exec?: string;
  /** `--exec` commands running at once; the rest queue. Default 4. */
  execConcurrency?: number;
  /** Stop (exit code 1) at the first alert of this severity or worse; default never. */
  exitOn?: ExitOn;
  /** Extra directories searched for the runs' `.safetensors` files. */
  weights?: string[];
  /** A run silent this long (ms) with a finished marker is summarised; default max(60 s, 5 intervals). */
  quietMs?: number;
  config?: DetectConfig;
  color?: boolean;
  /** Seconds between progress lines per run when the output is not a terminal; default 60. */
  progressEverySeconds?: number;
  /** Use fs.watch on the log directory to notice new runs sooner (polling stays the mechanism). Default true. */
  fsHint?: boolean;
}

export interface WatchOutput {
  write(text: string): void;
  /** A terminal: one status line per run, redrawn in place. Otherwise plain lines, one per event. */
  isTTY?: boolean;
  columns?: number;
}

export interface WatchContext {
  signal: AbortSignal;
  /** Milliseconds clock (tests drive quiet periods with it); default Date.now. */
  now?: () => number;
  output: WatchOutput;
  /** Told after each poll's detector runs how far each run's judged loss has been read (tests use it). */
  onPoll?: (runs: { dir: string; lastStep: number | null }[]) => void;
}

/** An alert as raised: the finding, and how far the run's loss had been read when it was. */
export interface WatchAlert {
  finding: Finding;
  runDir: string;
  /** Last step of the judged loss series when the alert was raised (null without a loss). */
  lastStep: number | null;
  /** now() at the time. */
  at: number;
}

export interface WatchResult {
  /** 0 when stopped by the signal, 1 when `--exit-on` was reached. */
  exitCode: 0 | 1;
  alerts: WatchAlert[];
  /** Every run as last read (series copied), as `loadLogdirs` would return the same bytes. */
  runs: Run[];
  polls: number;
  evaluations: number;
}

/** Everything watch keeps about one run beyond its series. */
interface RunWatch {
  run: FollowedRun;
  live: LiveRun;
  memory: AlertMemory;
  alerts: WatchAlert[];
  phase: RunPhase;
  /** now() when its records last grew. */
  lastGrowth: number;
  restartsSeen: number;
  damageSeen: number;
  weights: WeightsSummary[];
  weightsKey: string;
  /** Last progress line time (non-TTY). */
  lastProgress: number;
  /** The trainer's config file beside the run (read once; see readConfig), as diagnose reads it. */
  config?: RunIdentity;
  configRead: boolean;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, '0')).join(':');
}

function newestWriteMs(run: FollowedRun): number {
  let t = 0;
  for (const f of run.files) t = Math.max(t, Number(f.mtimeNs / 1_000_000n));
  return t;
}

/**
 * Follows `options.logdir` until `ctx.signal` aborts (exit 0) or an alert reaches `exitOn` (exit 1).
 * Each poll reads only new bytes, updates the live detectors, re-runs the batch detectors on a run's
 * prefix when they ask for it, prints each new alert once (the `diagnose` text) and runs `--exec`
 * for it, and summarises a run that went quiet with a finished marker.
 */
export async function watch(options: WatchOptions, ctx: WatchContext): Promise<WatchResult> {
  const now = ctx.now ?? Date.now;
  const out = ctx.output;
  const tty = out.isTTY === true;
  const p: Paint = paint(options.color ?? false);
  const config = options.config ?? DEFAULT_CONFIG;
  const intervalMs = Math.max(50, options.intervalMs ?? 2000);
  const quietMs = options.quietMs ?? Math.max(60_000, 5 * intervalMs);
  const exitOn = options.exitOn ?? 'never';
  const progressEvery = (options.progressEverySeconds ?? 60) * 1000;
  const started = now();

  const watches = new Map<FollowedRun, RunWatch>();
  const stateOf = (run: FollowedRun): RunWatch => {
    let st = watches.get(run);
    if (!st) {
      st = {
        run,
        live: newLiveRun(),
        memory: new Map(),
        alerts: [],
        phase: 'active',
        lastGrowth: now(),
        restartsSeen: 0,
        damageSeen: 0,
        weights: [],
        weightsKey: '',
        lastProgress: now(),
        configRead: false,
      };
      watches.set(run, st);
    }
    return st;
  };
  const scalarTags = (run: FollowedRun) =>
    function* () {
      for (const [tag, s] of run.assembly.tags) if (s.builder) yield tag;
    };
  const follower: LogdirFollower = newLogdirFollower(
    options.logdir,
    {},
    {
      scalar(run, builder, from) {
        observeScalar(stateOf(run).live, builder, from, scalarTags(run), run);
      },
      reset(run) {
        // Re-read from byte 0: detectors start over; what was alerted stays alerted.
        const st = stateOf(run);
        st.live = newLiveRun();
        st.restartsSeen = 0;
        st.damageSeen = 0;
        requestEvaluation(st.live, 'reset');
      },
    },
  );
  const tracker: WeightsTracker = newWeightsTracker(options.weights ?? []);

  let blockLines = 0;
  const print = (text: string) => {
    if (tty && blockLines > 0) {
      out.write(clearBlock(blockLines));
      blockLines = 0;
    }
    out.write(text.endsWith('\n') ? text : `${text}\n`);
  };
  // Every info line is plain text holding names from disk: sanitised here, once, whatever its caller built.
  const info = (text: string) => print(`${p.dim(clock(now()))} ${termText(text)}`);

  const allAlerts: WatchAlert[] = [];
  const execs: Promise<unknown>[] = [];
  const execLimit = Math.max(1, options.execConcurrency ?? DEFAULT_EXEC_CONCURRENCY);
  const runExec = execQueue(execLimit, (running) =>
    info(`exec: ${running} commands running (--exec-concurrency ${execLimit}); further alerts queue their command`),
  );
  let stop = false;
  let polls = 0;
  let evaluations = 0;

  /**
   * The runs as the detectors see them now (side runs folded into their parents), by directory.
   * Names are paths under the log directory, as `export` writes them: unlike `diagnose`'s shortest
   * unique names they do not change when another run appears mid-watch.
   */
  const makeViews = (): Views => new Map(viewLogdir(follower).map((r) => [r.dir, r]));

  const lastLossStep = (st: RunWatch): number | null => {
    const loss = st.live.lossTag ? st.run.assembly.tags.get(st.live.lossTag)?.builder : undefined;
    return loss && loss.length > 0 ? loss.steps[loss.length - 1] : null;
  };

  const raise = (st: RunWatch, f: Finding) => {
    const alert: WatchAlert = { finding: f, runDir: st.run.dir, lastStep: lastLossStep(st), at: now() };
    st.alerts.push(alert);
    allAlerts.push(alert);
    print(alertText(f, clock(now()), p));
    if (options.exec) {
      const label = termText(f.run);
      execs.push(
        runExec(options.exec, alertJson(f, st.run.dir), alertEnv(f, st.run.dir), (line) => info(`exec (${label}): ${termText(line)}`)).then((r) => {
          if (r.error) info(`exec (${label}): could not run: ${r.error}`);
          else if (r.code !== 0) info(`exec (${label}): exited with code ${r.code}`);
        }),
      );
    }
    if (stopsWatch(f.severity, exitOn)) stop = true;
  };

  /** Batch detectors on the prefix read so far; alerts for what is new. */
  const evaluate = (st: RunWatch, run: Run, reason: EvalReason) => {
    evaluations++;
    const findings = diagnoseRun({ run, identity: identityOf(run, st.weights, st.config), weights: st.weights }, config);
    for (const f of newAlerts(st.memory, findings)) raise(st, f);
    const loss = st.live.lossTag ? st.run.assembly.tags.get(st.live.lossTag)?.builder : undefined;
    markEvaluated(st.live, reason, loss, st.memory);
  };

  /** A run silent for `quietMs` that reached its planned steps or saved its final LoRA: the diagnose summary, once. */
  const finishIfDone = async (st: RunWatch, run: Run, at: number) => {
    const silent = at - st.lastGrowth;
    if (silent < quietMs) return;
    st.phase = 'quiet';
    const progress = runProgress(st.run, maxStepsOf(run, st.weights, st.config));
    const finalSave = finalSaveTime(tracker, st.weights);
    const lastEventMs = Number.isFinite(st.run.lastWallTime) ? st.run.lastWallTime * 1000 : newestWriteMs(st.run);
    const reachedMax = progress.maxSteps !== null && progress.step !== null && progress.step >= progress.maxSteps;
    if (!reachedMax && !(finalSave !== null && finalSave >= lastEventMs - 1000)) return;
    st.phase = 'finished';
    evaluations++;
    const { findings, text } = await runSummary(run, identityOf(run, st.weights, st.config), st.weights, config, options.color ?? false);
    info(
      `${termText(run.name)}: finished (${reachedMax ? `step ${progress.step} of ${progress.maxSteps}` : 'final LoRA saved'}, quiet for ${Math.round(silent / 1000)} s)`,
    );
    print(text);
    // Shape-of-run verdicts (flat, lr schedule, …) are in the summary; only live kinds alert.
    for (const f of newAlerts(st.memory, findings)) raise(st, f);
  };

  const hint = startHint(options);
  try {
    while (!ctx.signal.aborted && !stop) {
      const pollStart = now();
      const first = polls === 0;
      const { notes, changed } = await pollLogdir(follower);
      polls++;
      for (const run of follower.runs.values()) stateOf(run);
      for (const [run] of watches) if (follower.runs.get(run.name) !== run) watches.delete(run);
      const views = makeViews();
      // hparams-only side directories (kohya --log_config) are part of their parent run, not runs to watch.
      const visible = [...watches.values()]
        .filter((st) => views.has(st.run.dir))
        .sort((a, b) => (views.get(a.run.dir)!.name < views.get(b.run.dir)!.name ? -1 : 1));
      const label = (st: RunWatch) => termText(views.get(st.run.dir)?.name ?? st.run.name);

      // A new run's files are implied by "new run"; on the first poll every run is listed below instead.
      const newRuns = new Set(notes.flatMap((n) => (n.kind === 'new-run' ? [n.run] : [])));
      for (const n of notes) {
        if (n.kind === 'new-file' && newRuns.has(n.run)) continue;
        if (first && n.kind === 'new-run') continue;
        info(noteLine(n));
      }
      if (first) {
        // Runs nobody has written to for a while are history, not live: read, but not alerted on.
        for (const st of watches.values()) if (pollStart - newestWriteMs(st.run) > quietMs) st.phase = 'idle';
        for (const st of visible) {
          const ago = Math.round((pollStart - newestWriteMs(st.run)) / 1000);
          info(`${label(st)}: ${st.phase === 'idle' ? `idle (last write ${ago} s ago; watched again when it grows)` : 'watching'}`);
        }
      }
      for (const run of changed) {
        const st = stateOf(run);
        st.lastGrowth = pollStart;
        if (first && st.phase === 'idle') continue;
        if (st.phase !== 'active' && views.has(run.dir)) info(`${label(st)}: ${st.phase === 'finished' ? 'writing again' : 'active again'}`);
        st.phase = 'active';
        if (run.assembly.restarts.length > st.restartsSeen) requestEvaluation(st.live, 'restart');
        st.restartsSeen = run.assembly.restarts.length;
        const damage = run.files.reduce((a, f) => a + f.report.damage.length, 0);
        if (damage > st.damageSeen) requestEvaluation(st.live, 'damage');
        st.damageSeen = damage;
      }

      // ai-toolkit's SQLite log names no planned steps: its job's config.yaml does (train.steps), as diagnose reads it.
      for (const st of visible) {
        if (st.configRead || !st.run.files.some((f) => isSqliteLogName(basename(f.path)))) continue;
        st.configRead = true;
        const c = await configIdentity(st.run.dir, 'ai-toolkit');
        if (c?.ok) st.config = c.identity;
        else if (c) info(`${c.path}: ${configProblemLine(c)}`);
      }

      // Checkpoints: a file is read once its size and time held still for one poll, then linked to its run.
      {
        const scan = await scanWeights(tracker, follower.weights);
        for (const problem of scan.problems) info(`weights: ${termText(problem)}`);
        if (scan.read.length > 0 || first) {
          const links = linkedWeights(
            tracker,
            visible.map((st) => st.run),
          );
          for (const st of visible) {
            st.weights = links.get(st.run) ?? [];
            const key = st.weights.map((w) => w.path).join('\n');
            if (key !== st.weightsKey) requestEvaluation(st.live, 'weights');
            st.weightsKey = key;
          }
        }
      }

      for (const st of visible) {
        if (st.phase === 'idle' || st.phase === 'finished') continue;
        const reason = evaluationDue(st.live, config);
        if (reason !== null) evaluate(st, views.get(st.run.dir)!, reason);
        if (!stop) await finishIfDone(st, views.get(st.run.dir)!, pollStart);
        if (stop) break;
      }
      ctx.onPoll?.(visible.map((st) => ({ dir: st.run.dir, lastStep: lastLossStep(st) })));
      if (stop) break;

      if (tty) {
        const statuses = visible.filter((st) => st.phase !== 'idle').map((st) => statusOf(st, views.get(st.run.dir)!, pollStart));
        const width = out.columns !== undefined && out.columns >= 20 ? out.columns : 100;
        const nameWidth = Math.min(32, Math.max(8, ...statuses.map((s) => s.name.length)));
        const lines = statuses.map((s) => statusLine(s, nameWidth, width, p));
        out.write(redrawBlock(blockLines, lines));
        blockLines = lines.length;
      } else {
        for (const st of visible) {
          if (st.phase !== 'active' || pollStart - st.lastProgress < progressEvery) continue;
          st.lastProgress = pollStart;
          print(`${p.dim(clock(pollStart))} ${progressLine(statusOf(st, views.get(st.run.dir)!, pollStart))}`);
        }
      }
      await sleep(Math.max(0, intervalMs - (now() - pollStart)), ctx.signal, hint);
    }
  } finally {
    hint?.close();
  }

  await Promise.all(execs);
  const runs = snapshotLogdir(follower);
  if (tty && blockLines > 0) {
    out.write(clearBlock(blockLines));
    blockLines = 0;
  }
  const final = makeViews();
  const listed = [...watches.values()].filter((st) => final.has(st.run.dir));
  print(summaryLines(listed, allAlerts, now() - started, stop, p));
  return { exitCode: stop ? 1 : 0, alerts: allAlerts, runs, polls, evaluations };
}

type Views = Map<string, Run>;

function maxStepsOf(run: Run, weights: WeightsSummary[], config: RunIdentity | undefined): number | null {
  const fromHparams = hparamsMaxSteps(run.hparams);
  if (fromHparams !== null) return fromHparams;
  for (const w of weights) if (w.identity.maxTrainSteps) return w.identity.maxTrainSteps;
  return config?.maxTrainSteps ?? null;
}

function statusOf(st: RunWatch, run: Run, at: number): RunStatus {
  const alerts = st.alerts
    .map((a) => a.finding)
    .sort(compareFindings)
    .map((f) => ({ kind: f.kind, severity: f.severity }));
  return {
    name: run.name,
    phase: st.phase,
    progress: runProgress(st.run, maxStepsOf(run, st.weights, st.config)),
    alerts,
    quietSeconds: (at - st.lastGrowth) / 1000,
  };
}

function summaryLines(watches: RunWatch[], alerts: WatchAlert[], elapsedMs: number, stopped: boolean, p: Paint): string {
  const lines = [
    `${stopped ? 'stopped at an alert' : 'stopped'} after ${Math.round(elapsedMs / 1000)} s; ${watches.length} run${watches.length === 1 ? '' : 's'}, ${alerts.length} alert${alerts.length === 1 ? '' : 's'}`,
  ];
  for (const st of [...watches].sort((a, b) => (a.run.name < b.run.name ? -1 : 1))) {
    const progress = runProgress(st.run, null);
    const kinds = st.alerts.map((a) => `${a.finding.severity} ${a.finding.kind}`).join(', ');
    lines.push(`  ${termText(st.run.name)}: ${st.phase}, ${progress.step === null ? 'no steps' : `last step ${progress.step}`}${kinds ? `; ${kinds}` : ''}`);
  }
  return p.bold(lines[0]) + (lines.length > 1 ? `\n${lines.slice(1).join('\n')}` : '');
}

/** fs.watch on the log directory itself: new run directories wake the loop early. Errors are ignored. */
function startHint(options: WatchOptions): (FSWatcher & { pending: boolean; wake?: () => void }) | undefined {
  if (options.fsHint === false) return undefined;
  try {
    const w = fsWatch(options.logdir, { persistent: false }) as FSWatcher & { pending: boolean; wake?: () => void };
    w.pending = false;
    w.on('change', () => {
      w.pending = true;
      w.wake?.();
    });
    w.on('error', () => w.close());
    return w;
  } catch {
    return undefined;
  }
}

/** Sleeps `ms`, or less when aborted or (after at least a quarter of it) when the hint fires. */
function sleep(ms: number, signal: AbortSignal, hint?: { pending: boolean; wake?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const startedAt = Date.now();
    let timer: ReturnType<typeof setTimeout>;
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      if (hint) hint.wake = undefined;
      resolve();
    };
    timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    if (hint) {
      hint.wake = () => {
        hint.pending = false;
        clearTimeout(timer);
        timer = setTimeout(done, Math.max(0, ms / 4 - (Date.now() - startedAt)));
      };
    }
  });
}
