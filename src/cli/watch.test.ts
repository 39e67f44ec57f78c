import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { identityOf } from '../analyze/analyze.js';
import { configIdentity } from '../analyze/config-identity.js';
import { DEFAULT_CONFIG } from '../detect/config.js';
import { diagnoseRun } from '../detect/diagnose.js';
import { severityRank } from '../detect/finding.js';
import { encodeEvent, encodeFileVersionEvent, encodeScalarEvent } from '../events/encode-event.js';
import { AITK_WRITER, betterSqlitePath } from '../../test/support/aitk-db.js';
import { comparable, prng } from '../../test/support/follow-helpers.js';
import { loadLogdirs } from '../runs/load-logdir.js';
import { seriesFromArrays } from '../runs/series.js';
import type { RunIdentity } from '../identity/identity.js';
import type { Run } from '../runs/types.js';
import { frameRecords } from '../tfrecord/write-records.js';
import { watch, type WatchResult } from './watch.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/kohya');
const RUN_DIR = 'glypha-live-20261129140106/network_train';
const EVENT_FILE = 'events.out.tfevents.1795960866.vm.5635.0';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tblens-watch-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The per-step losses of a real healthy run, to resample noise with the real distribution. */
async function realLosses(): Promise<Float64Array> {
  const loaded = await loadLogdirs([join(FIXTURES, 'sweep/adamw')]);
  if (!loaded.ok) throw new Error(loaded.error);
  const s = loaded.roots[0].runs[0].scalars.get('loss/current')!;
  return Float64Array.from(s.values.filter((x) => Number.isFinite(x) && x > 0));
}

interface KohyaLike {
  steps: number;
  /** First step of the divergence (loss ramps to `factor`× over 50 steps and stays), or none. */
  divergeAt?: number;
  factor?: number;
  /** First step from which loss/current is NaN, or none. */
  nanAt?: number;
  seed: number;
  t0: number;
}

/** What kohya's train_network.py writes through accelerate + torch SummaryWriter: one event per tag per step. */
function kohyaLikeEvents(pool: Float64Array, o: KohyaLike): Uint8Array {
  const random = prng(o.seed);
  const payloads = [encodeFileVersionEvent(o.t0)];
  const window: number[] = [];
  for (let s = 1; s <= o.steps; s++) {
    const wall = o.t0 + 5 + s * 0.8;
    let loss = pool[Math.floor(random() * pool.length)];
    if (o.divergeAt !== undefined && s >= o.divergeAt) loss *= 1 + ((o.factor ?? 4) - 1) * Math.min(1, (s - o.divergeAt) / 50);
    if (o.nanAt !== undefined && s >= o.nanAt) loss = NaN;
    window.push(loss);
    if (window.length > 200) window.shift();
    const average = window.reduce((a, x) => a + x, 0) / window.length;
    const lr = s <= 60 ? (1e-4 * s) / 60 : 1e-4 * 0.5 * (1 + Math.cos((Math.PI * (s - 60)) / (o.steps - 60)));
    payloads.push(encodeScalarEvent(wall, s, 'loss/current', loss));
    payloads.push(encodeScalarEvent(wall + 0.001, s, 'loss/average', average));
    payloads.push(encodeScalarEvent(wall + 0.002, s, 'lr/unet', lr));
  }
  return frameRecords(payloads);
}

/** kohya --log_config: an hparams side run named str(time.time()) holding max_train_steps. */
function hparamsEvents(t0: number, maxTrainSteps: number): Uint8Array {
  const bytes = (...parts: (number[] | Uint8Array)[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
  const len = (b: Uint8Array) => [b.length];
  const text = (s: string) => new TextEncoder().encode(s);
  const dbl = new Uint8Array(new Float64Array([maxTrainSteps]).buffer);
  const value = bytes([0x11], dbl);
  const key = text('max_train_steps');
  const entry = bytes([0x0a], len(key), key, [0x12], len(value), value);
  const start = bytes([0x0a], len(entry), entry);
  const content = bytes([0x1a], len(start), start);
  return frameRecords([
    encodeFileVersionEvent(t0),
    encodeEvent({ wallTime: t0, summary: [{ tag: '_hparams_/session_start_info', metadata: { pluginName: 'hparams', pluginContent: content } }] }),
  ]);
}

const WRITER = `
const fs = require('fs');
const [src, dst, seed, delay, maxChunk] = process.argv.slice(2);
const data = fs.readFileSync(src);
let a = Number(seed) >>> 0;
const rnd = () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const fd = fs.openSync(dst, 'a');
let at = 0;
const step = () => {
  if (at >= data.length) { fs.closeSync(fd); return; }
  const n = Math.min(1 + Math.floor(rnd() * Number(maxChunk)), data.length - at);
  fs.writeSync(fd, data, at, n);
  at += n;
  setTimeout(step, Number(delay));
};
step();
`;

/** Starts a separate process appending `bytes` to `target` in random chunks (most cut records in two). */
function startWriter(bytes: Uint8Array, target: string, seed: number, delayMs: number, maxChunk: number): Promise<void> {
  // Outside the log directory: its name holds "tfevents" too.
  const src = join(dir, `source-${seed}`);
  writeFileSync(src, bytes);
  const script = join(dir, 'writer.cjs');
  if (!existsSync(script)) writeFileSync(script, WRITER);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, src, target, String(seed), String(delayMs), String(maxChunk)], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? (rmSync(src), resolve()) : reject(new Error(`writer exited ${code}`))));
  });
}

function collector() {
  let text = '';
  return { output: { write: (t: string) => void (text += t), isTTY: false }, text: () => text };
}

/** The run as on disk when its judged loss had reached `step`: every tag cut at that step. */
function prefixAt(run: Run, step: number): Run {
  const scalars = new Map<string, ReturnType<typeof seriesFromArrays>>();
  for (const [tag, s] of run.scalars) {
    let n = 0;
    while (n < s.length && s.steps[n] <= step) n++;
    scalars.set(tag, seriesFromArrays(tag, s.steps.subarray(0, n), s.values.subarray(0, n), s.wallTimes.subarray(0, n)));
  }
  return { ...run, scalars, files: run.files.map((f) => ({ ...f, damage: [] })) };
}

/** First step at whose prefix the batch detectors report `kind` at warning or worse. */
function firstBatchDetection(run: Run, kind: string, lossTag = 'loss/current', identity: RunIdentity = { source: 'none' }): number | null {
  const steps = run.scalars.get(lossTag)!.steps;
  for (const step of steps) {
    const findings = diagnoseRun({ run: prefixAt(run, step), identity, weights: [] });
    if (findings.some((f) => f.kind === kind && severityRank(f.severity) <= severityRank('warning'))) return step;
  }
  return null;
}

async function exported(root: string): Promise<Run[]> {
  const loaded = await loadLogdirs([root]);
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.roots[0].runs;
}

describe('tblens watch', () => {
  it('alerts on a divergence within a few steps of diagnose seeing it on the same prefix, and ends equal to export', async () => {
    const pool = await realLosses();
    const runDir = join(dir, 'logs', RUN_DIR);
    mkdirSync(runDir, { recursive: true });
    const side = join(dir, 'logs', RUN_DIR, '1795960866.2501435');
    mkdirSync(side);
    writeFileSync(join(side, 'events.out.tfevents.1795960867.vm.5635.1'), hparamsEvents(1795960866, 900));
    const target = join(runDir, EVENT_FILE);
    writeFileSync(target, '');
    const execOut = join(dir, 'exec');
    mkdirSync(execOut);
    const execScript = join(dir, 'on-alert.cjs');
    writeFileSync(
      execScript,
      `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const e=Object.fromEntries(Object.entries(process.env).filter(([k])=>k.startsWith('TBLENS_')));` +
        `require('fs').writeFileSync(require('path').join(${JSON.stringify(execOut)}, Date.now()+'-'+Math.random()+'.json'),JSON.stringify({stdin:s,env:e}));console.log('stopping '+e.TBLENS_RUN)});`,
    );

    const controller = new AbortController();
    const out = collector();
    const seen: (number | null)[] = [];
    const watching = watch(
      { logdir: join(dir, 'logs'), intervalMs: 25, quietMs: 400, exec: `"${process.execPath}" "${execScript}"`, exitOn: 'never', fsHint: false },
      { signal: controller.signal, output: out.output, onPoll: (runs) => seen.push(runs[0]?.lastStep ?? null) },
    );
    await startWriter(kohyaLikeEvents(pool, { steps: 900, divergeAt: 520, factor: 5, seed: 11, t0: 1795960866 }), target, 3, 4, 170);
    // Let watch read the end and notice the run went quiet at its last planned step.
    const deadline = Date.now() + 10_000;
    while (!out.text().includes('finished') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    const result: WatchResult = await watching;

    expect(result.exitCode).toBe(0);
    const final = await exported(join(dir, 'logs'));
    expect(comparable(result.runs)).toEqual(comparable(final));
    expect(final[0].scalars.get('loss/current')!.length).toBe(900);
    expect(final[0].hparams.max_train_steps).toBe(900);

    const batchStep = firstBatchDetection(final[0], 'explosion');
    expect(batchStep).not.toBeNull();
    expect(batchStep!).toBeGreaterThanOrEqual(520);
    const alert = result.alerts.find((a) => a.finding.kind === 'explosion');
    expect(alert, out.text()).toBeDefined();
    // Never before diagnose could see it, and at the first poll that read that far: the delay is
    // only the steps written between two polls.
    expect(alert!.lastStep!).toBeGreaterThanOrEqual(batchStep!);
    expect(alert!.lastStep).toBe(seen.find((s) => s !== null && s >= batchStep!));
    expect(alert!.lastStep! - batchStep!).toBeLessThanOrEqual(60);
    // The alert text is what diagnose prints for that finding.
    expect(out.text()).toContain(alert!.finding.message);
    expect(out.text()).toMatch(/finished \(step 900 of 900/);
    expect(out.text()).toContain(`exec (${alert!.finding.run}): stopping ${alert!.finding.run}`);
    const execs = readdirSync(execOut).map((f) => JSON.parse(readFileSync(join(execOut, f), 'utf8')));
    expect(execs.length).toBe(result.alerts.length);
    const mine = execs.find((e) => e.env.TBLENS_KIND === 'explosion');
    expect(mine.env.TBLENS_SEVERITY).toBe(alert!.finding.severity);
    expect(mine.env.TBLENS_STEP).toBe(String(alert!.finding.step));
    expect(mine.env.TBLENS_RUN).toBe(alert!.finding.run);
    expect(JSON.parse(mine.stdin)).toMatchObject({ kind: 'explosion', message: alert!.finding.message, step: alert!.finding.step });
  });

  it('--exit-on error stops once the NaN has stayed (nan.minConsecutive points) with exit code 1', async () => {
    const pool = await realLosses();
    const runDir = join(dir, RUN_DIR);
    mkdirSync(runDir, { recursive: true });
    const target = join(runDir, EVENT_FILE);
    writeFileSync(target, '');
    const controller = new AbortController();
    const out = collector();
    const seen: (number | null)[] = [];
    const watching = watch(
      { logdir: dir, intervalMs: 20, exitOn: 'error', fsHint: false },
      { signal: controller.signal, output: out.output, onPoll: (runs) => seen.push(runs[0]?.lastStep ?? null) },
    );
    const writing = startWriter(kohyaLikeEvents(pool, { steps: 600, nanAt: 400, seed: 5, t0: 1795960866 }), target, 9, 2, 300);
    const result = await watching;
    await writing;
    expect(result.exitCode).toBe(1);
    const nan = result.alerts.find((a) => a.finding.kind === 'nan_loss');
    expect(nan?.finding.severity).toBe('error');
    expect(nan?.finding.step).toBe(400);
    // Raised at the first poll that read the third NaN in a row (evidence that it stayed).
    expect(nan!.lastStep).toBe(seen.find((s) => s !== null && s >= 400 + DEFAULT_CONFIG.nan.minConsecutive - 1));
    expect(out.text()).toContain('stopped at an alert');
  });

  it('fp16 skipped steps, the last point NaN (fixtures/hard/fp16-skips), written live: no alert, no --exec, no exit; diagnose says warning', async () => {
    const source = join(
      import.meta.dirname,
      '../../fixtures/hard/fp16-skips/glypha-fp16-20261201103000/network_train/events.out.tfevents.1796001800.vm.7000.0',
    );
    const runDir = join(dir, 'logs', 'glypha-fp16-20261201103000/network_train');
    mkdirSync(runDir, { recursive: true });
    const target = join(runDir, 'events.out.tfevents.1796001800.vm.7000.0');
    writeFileSync(target, '');
    const execOut = join(dir, 'exec');
    mkdirSync(execOut);
    const execScript = join(dir, 'on-alert.cjs');
    writeFileSync(execScript, `require('fs').writeFileSync(require('path').join(${JSON.stringify(execOut)}, String(Date.now())), 'x')`);
    const controller = new AbortController();
    const out = collector();
    const seen: (number | null)[] = [];
    const watching = watch(
      { logdir: join(dir, 'logs'), intervalMs: 20, exec: `"${process.execPath}" "${execScript}"`, exitOn: 'error', fsHint: false },
      { signal: controller.signal, output: out.output, onPoll: (runs) => seen.push(runs[0]?.lastStep ?? null) },
    );
    await startWriter(readFileSync(source), target, 21, 2, 4000);
    // A few more polls after the last byte (the last point, step 3000, is a NaN).
    const polls = seen.length;
    while (seen.length < polls + 5) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const result = await watching;
    expect(seen.at(-1)).toBe(3000);
    expect(result.exitCode).toBe(0);
    expect(result.alerts.map((a) => `${a.finding.kind} ${a.finding.severity}`)).toEqual([]);
    expect(readdirSync(execOut)).toEqual([]);
    // The finished run, as diagnose judges it: a warning, never "stayed non-finite".
    const [run] = await exported(join(dir, 'logs'));
    const nan = diagnoseRun({ run, identity: { source: 'none' }, weights: [] }).filter((f) => f.kind === 'nan_loss');
    expect(nan.map((f) => f.severity)).toEqual(['warning']);
  });

  it('follows a run replaced under it and a new run appearing, without doubling points', async () => {
    const pool = await realLosses();
    const a = join(dir, 'run-a');
    mkdirSync(a);
    writeFileSync(join(a, EVENT_FILE), kohyaLikeEvents(pool, { steps: 300, seed: 1, t0: 1795960866 }));
    const controller = new AbortController();
    const out = collector();
    const watching = watch({ logdir: dir, intervalMs: 20, fsHint: false }, { signal: controller.signal, output: out.output });
    const waitFor = async (what: () => boolean) => {
      const deadline = Date.now() + 5000;
      while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(what()).toBe(true);
    };
    await waitFor(() => out.text().includes('run-a: watching'));
    // The trainer restarts into the same file name: a new, shorter file replaces the old one.
    writeFileSync(join(dir, 'next'), kohyaLikeEvents(pool, { steps: 120, seed: 2, t0: 1795960999 }));
    renameSync(join(dir, 'next'), join(a, EVENT_FILE));
    await waitFor(() => out.text().includes('re-reading run run-a'));
    // A second run appears, already broken.
    const b = join(dir, 'run-b');
    mkdirSync(b);
    copyFileSync(
      join(FIXTURES, 'nan-late/glypha-nan-late-20261129140416/network_train/events.out.tfevents.1795961056.vm.6643.0'),
      join(b, 'events.out.tfevents.1795961056.vm.6643.0'),
    );
    await waitFor(() => out.text().includes('new run run-b'));
    await waitFor(() => /run-b: alert/.test(out.text()));
    controller.abort();
    const result = await watching;
    expect(comparable(result.runs)).toEqual(comparable(await exported(dir)));
    expect(result.runs.find((r) => r.name === 'run-a')!.scalars.get('loss/current')!.length).toBe(120);
    expect(result.alerts.map((x) => `${x.finding.run} ${x.finding.kind}`)).toContain('run-b nan_loss');
    expect(result.alerts.every((x) => x.finding.run === 'run-b')).toBe(true);
  });
});

describe('tblens watch and checkpoints', () => {
  it('reads a LoRA once the trainer finished writing it: NaN weights alert, then the run is summarised as finished', async () => {
    const src = join(FIXTURES, 'nan-late');
    const runDir = join(dir, 'glypha-nan-late-20261129140416', 'network_train');
    mkdirSync(runDir, { recursive: true });
    copyFileSync(
      join(src, 'glypha-nan-late-20261129140416/network_train/events.out.tfevents.1795961056.vm.6643.0'),
      join(runDir, 'events.out.tfevents.1795961056.vm.6643.0'),
    );
    const controller = new AbortController();
    const out = collector();
    const watching = watch({ logdir: dir, intervalMs: 30, quietMs: 500, fsHint: false }, { signal: controller.signal, output: out.output });
    const waitFor = async (what: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(what(), out.text()).toBe(true);
    };
    await waitFor(() => out.text().includes('alert'));
    // The final save appears (kohya writes it after the last log).
    copyFileSync(join(src, 'glypha-nan-late.safetensors'), join(dir, 'glypha-nan-late.safetensors'));
    // Either marker holds here: the LoRA is the final save, and its ss_max_train_steps (2000) was reached.
    await waitFor(() => /finished \((final LoRA saved|step 2000 of 2000)/.test(out.text()));
    controller.abort();
    const result = await watching;
    const kinds = result.alerts.map((a) => `${a.finding.severity} ${a.finding.kind}`);
    expect(kinds).toContain('error nan_loss');
    expect(kinds).toContain('error nan_weights');
    // The summary is diagnose's run block: verdict, identity from the LoRA metadata, findings.
    expect(out.text()).toMatch(/FAILED\s+glypha-nan-late-20261129140416\/network_train/);
    expect(out.text()).toContain('weights: ');
  });
});

describe("tblens watch on ai-toolkit's loss_log.db", () => {
  const JOB = 'glypha_aitk_live';
  const AITK = join(import.meta.dirname, '../../fixtures/trainers/ai-toolkit');

  /** Starts a separate process logging `rows` into `db` as ai-toolkit's UILogger does (WAL, held open, a transaction a step). */
  function startDbWriter(db: string, rows: [number, number | null, number][], delayMs: number): Promise<void> {
    const rowsPath = join(dir, 'rows.json');
    writeFileSync(rowsPath, JSON.stringify(rows));
    const script = join(dir, 'db-writer.cjs');
    writeFileSync(script, AITK_WRITER);
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [script, betterSqlitePath(), db, rowsPath, String(delayMs), '1796000000'], { stdio: 'inherit' });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`db writer exited ${code}`))));
    });
  }

  it('a job logging only to SQLite, written live: the divergence alerts when its rows arrive, the run is summarised, and it ends equal to export', async () => {
    const pool = await realLosses();
    const random = prng(17);
    const rows: [number, number | null, number][] = [];
    for (let s = 1; s <= 600; s++) {
      const loss = pool[Math.floor(random() * pool.length)] * (s >= 380 ? 1 + 4 * Math.min(1, (s - 380) / 50) : 1);
      rows.push([s, loss, 1e-4]);
    }
    const training = join(dir, 'output');
    const job = join(training, JOB);
    mkdirSync(job, { recursive: true });
    writeFileSync(
      join(job, 'config.yaml'),
      `job: extension\nconfig:\n  name: ${JOB}\n  process:\n  - type: sd_trainer\n    training_folder: output\n    train:\n      steps: 600\n`,
    );
    const controller = new AbortController();
    const out = collector();
    const seen: (number | null)[] = [];
    const watching = watch(
      { logdir: training, intervalMs: 25, quietMs: 400, fsHint: false },
      { signal: controller.signal, output: out.output, onPoll: (runs) => seen.push(runs[0]?.lastStep ?? null) },
    );
    await startDbWriter(join(job, 'loss_log.db'), rows, 5);
    const deadline = Date.now() + 10_000;
    while (!out.text().includes('finished') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    const result = await watching;

    // Said on failure: what watch printed and the loss step each poll had read (a flake seen once under load is to be diagnosed from it).
    const context = `${out.text()}\npolls saw steps: ${seen.join(',')}`;
    expect(result.exitCode).toBe(0);
    const final = await exported(training);
    expect(final.map((r) => r.name)).toEqual([JOB]);
    expect(comparable(result.runs)).toEqual(comparable(final));
    expect(final[0].scalars.get('loss/loss')!.length).toBe(600);
    // Appends only: the run was never re-read from the start.
    expect(out.text(), context).not.toContain('re-reading');
    // The identity diagnose (and watch) give this run: its job's config.yaml, whose planned steps bear on the verdict.
    const config = await configIdentity(job, 'ai-toolkit');
    expect(config?.ok).toBe(true);
    const identity = identityOf(final[0], [], config?.ok ? config.identity : undefined);
    const batchStep = firstBatchDetection(final[0], 'explosion', 'loss/loss', identity);
    expect(batchStep).not.toBeNull();
    const alert = result.alerts.find((a) => a.finding.kind === 'explosion');
    expect(alert, context).toBeDefined();
    expect(alert!.lastStep!, `batch step ${batchStep}\n${context}`).toBeGreaterThanOrEqual(batchStep!);
    // At the first poll whose prefix diagnose flags. Not always the first poll past batchStep: the rule's end-aligned
    // blocks make its verdict on a growing prefix flicker (this run: explosion at 455 and 458, none at 461, again at 465).
    const flagged = (step: number) =>
      diagnoseRun({ run: prefixAt(final[0], step), identity, weights: [] }).some(
        (f) => f.kind === 'explosion' && severityRank(f.severity) <= severityRank('warning'),
      );
    expect(alert!.lastStep, `batch step ${batchStep}\n${context}`).toBe(seen.find((s) => s !== null && s >= batchStep! && flagged(s)));
    expect(alert!.lastStep! - batchStep!, `batch step ${batchStep}\n${context}`).toBeLessThanOrEqual(60);
    expect(out.text()).toContain(alert!.finding.message);
    // train.steps in the job's config.yaml is the planned total, as diagnose reads it.
    expect(out.text(), context).toMatch(/finished \(step 600 of 600/);
  });

  it('a corrupt database is one line naming it; the other runs (SQLite and TensorBoard) are watched, alerted on and shown in the status line', async () => {
    const training = join(dir, 'output');
    // A hostile job name (an OSC title sequence and a line break): it reaches the terminal only as `?` and a space.
    const hostile = 'bro\u001b]0;pwned\u0007\nken';
    mkdirSync(join(training, hostile), { recursive: true });
    const broken = join(training, hostile, 'loss_log.db');
    writeFileSync(broken, Buffer.from('this is not an SQLite database, just text '.repeat(40)));
    mkdirSync(join(training, 'nan-job'));
    copyFileSync(join(AITK, 'nan/output/glypha_aitk_nan/loss_log.db'), join(training, 'nan-job', 'loss_log.db'));
    mkdirSync(join(training, 'kohya'));
    copyFileSync(join(FIXTURES, 'sweep/adamw/glypha-adamw-20261129140106/network_train', EVENT_FILE), join(training, 'kohya', EVENT_FILE));
    let text = '';
    const controller = new AbortController();
    let polls = 0;
    const watching = watch(
      { logdir: training, intervalMs: 20, fsHint: false },
      {
        signal: controller.signal,
        output: { write: (t) => void (text += t), isTTY: true, columns: 120 },
        onPoll: () => void (++polls >= 8 && controller.abort()),
      },
    );
    const result = await watching;
    const lines = text.split('\n').filter((l) => l.includes('bro?]0;pwned? ken'));
    expect(lines, text).toHaveLength(1);
    expect(lines[0]).toContain(`${join(training, 'bro?]0;pwned? ken', 'loss_log.db')}: not readable as ai-toolkit's SQLite log (SQLITE_NOTADB: `);
    expect(text).not.toContain('pwned\u0007');
    expect(text).toContain('nan-job: watching');
    expect(text).toContain('kohya: watching');
    expect(result.alerts.map((a) => `${a.finding.run} ${a.finding.kind} ${a.finding.severity}`)).toContain('nan-job nan_loss error');
    // The status block names the run (redrawn in place: its line follows a cursor-movement escape).
    expect(text).toMatch(/\nnan-job\s+step 1990 .*1 alert: nan_loss/);
    expect(comparable(result.runs)).toEqual(comparable(await exported(training)));
  });

  it('a job logging to both TensorBoard and SQLite is watched once, from TensorBoard', async () => {
    cpSync(join(AITK, 'healthy'), join(dir, 'healthy'), { recursive: true });
    const controller = new AbortController();
    const out = collector();
    let polls = 0;
    const result = await watch(
      { logdir: join(dir, 'healthy'), intervalMs: 20, fsHint: false },
      { signal: controller.signal, output: out.output, onPoll: () => void (++polls >= 3 && controller.abort()) },
    );
    expect(result.runs.map((r) => r.name)).toEqual(['logs/glypha_aitk_healthy']);
    expect(out.text()).toMatch(/1 run, /);
    expect(comparable(result.runs)).toEqual(comparable(await exported(join(dir, 'healthy'))));
  });
});
