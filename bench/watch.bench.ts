// Watch CPU: 20 live kohya-like runs, each appended about once a second by a separate writer process
// (in random chunks that split records, as a flushing trainer does), each starting with a few
// thousand steps of history. The watcher runs here with its default 2 s interval; the CPU this
// process uses over the window (process.cpuUsage, user + system) is reported as % of one core.
// TBLENS_WATCH_BENCH_SECONDS sets the window (default 60; the figure is for 600).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watch } from '../src/cli/watch.js';
import { encodeFileVersionEvent, encodeScalarEvent } from '../src/events/encode-event.js';
import { frameRecords } from '../src/tfrecord/write-records.js';

const RUNS = 20;
const HISTORY_STEPS = 3000;
const LIVE_STEPS = 4000;
const STEP_MS = 1000;
const TARGET_CPU_PERCENT = 5;
const TAGS = ['loss/current', 'loss/average', 'lr/unet', 'lr/textencoder'];

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One run's records from `from` to `to` steps; run 3 diverges and run 7 turns NaN in the live part. */
function stepRecords(run: number, from: number, to: number): Uint8Array {
  const random = seeded(run * 7919 + from);
  const t0 = 1_795_960_866 + run * 60;
  const payloads: Uint8Array[] = from === 1 ? [encodeFileVersionEvent(t0)] : [];
  const total = HISTORY_STEPS + LIVE_STEPS;
  for (let s = from; s <= to; s++) {
    const gauss = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    let loss = 0.05 * Math.exp(0.9 * gauss);
    if (run === 3 && s > HISTORY_STEPS) loss *= 5;
    if (run === 7 && s > HISTORY_STEPS + 5) loss = NaN;
    const lr = s < 150 ? (1e-4 * s) / 150 : 1e-4 * 0.5 * (1 + Math.cos((Math.PI * (s - 150)) / (total - 150)));
    const wall = t0 + s * 0.9;
    const values = [loss, loss, lr, lr / 2];
    TAGS.forEach((tag, k) => payloads.push(encodeScalarEvent(wall + k * 1e-4, s, tag, values[k])));
  }
  return frameRecords(payloads);
}

// The writer: appends each run's pending bytes a chunk per tick, one tick per run every ~STEP_MS.
const WRITER = `
const fs = require('fs');
const [manifest] = process.argv.slice(2);
const runs = JSON.parse(fs.readFileSync(manifest, 'utf8'));
for (const [i, r] of runs.entries()) {
  const data = fs.readFileSync(r.source);
  const fd = fs.openSync(r.target, 'a');
  let at = 0;
  let a = i + 1;
  const rnd = () => { a = (a * 1103515245 + 12345) >>> 0; return a / 4294967296; };
  const perStep = r.bytesPerStep;
  const tick = () => {
    if (at >= data.length) return fs.closeSync(fd);
    const n = Math.min(data.length - at, Math.max(1, Math.round(perStep * (0.3 + 1.4 * rnd()))));
    fs.writeSync(fd, data, at, n);
    at += n;
    setTimeout(tick, r.stepMs * (0.8 + 0.4 * rnd()));
  };
  setTimeout(tick, rnd() * r.stepMs);
}
`;

export default async function (): Promise<void> {
  const seconds = Number(process.env.TBLENS_WATCH_BENCH_SECONDS ?? 60);
  const root = await mkdtemp(join(tmpdir(), 'tblens-watch-bench-'));
  const sources = join(root, 'sources');
  const logdir = join(root, 'logs');
  mkdirSync(sources);
  const manifest: { source: string; target: string; bytesPerStep: number; stepMs: number }[] = [];
  for (let r = 0; r < RUNS; r++) {
    const dir = join(logdir, `run${String(r).padStart(2, '0')}-20261129140106`, 'network_train');
    mkdirSync(dir, { recursive: true });
    const target = join(dir, `events.out.tfevents.${1_795_960_866 + r * 60}.bench.${1000 + r}.0`);
    writeFileSync(target, stepRecords(r, 1, HISTORY_STEPS));
    const live = stepRecords(r, HISTORY_STEPS + 1, HISTORY_STEPS + LIVE_STEPS);
    const source = join(sources, `run${r}`);
    writeFileSync(source, live);
    manifest.push({ source, target, bytesPerStep: live.length / LIVE_STEPS, stepMs: STEP_MS });
  }
  writeFileSync(join(root, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(root, 'writer.cjs'), WRITER);

  let text = '';
  const controller = new AbortController();
  const output = { write: (t: string) => void (text += t), isTTY: false };
  const writer: ChildProcess = spawn(process.execPath, [join(root, 'writer.cjs'), join(root, 'manifest.json')], { stdio: 'inherit' });
  const started = performance.now();
  const watching = watch({ logdir, intervalMs: 2000, fsHint: true }, { signal: controller.signal, output });

  // Warm-up: the first poll reads 20 × 3000 steps of history; measure the steady state after it.
  while ((text.match(/: watching/g) ?? []).length < RUNS) await new Promise((r) => setTimeout(r, 100));
  const warmup = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 3000));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  controller.abort();
  const result = await watching;
  writer.kill();
  const alerts = result.alerts.length;
  await rm(root, { recursive: true, force: true });

  const percent = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  const steps = result.runs.reduce((n, r) => n + (r.scalars.get('loss/current')?.length ?? 0), 0) - RUNS * HISTORY_STEPS;
  console.log(`watch: ${RUNS} live runs (${HISTORY_STEPS} steps of history each, ~1 step/s each, writes split records), interval 2 s`);
  console.log(`  first poll (read ${RUNS * HISTORY_STEPS * TAGS.length} records of history): ${warmup.toFixed(1)} s`);
  console.log(`  steady window ${(wallMs / 1000).toFixed(0)} s: CPU user ${(cpu.user / 1000).toFixed(0)} ms + system ${(cpu.system / 1000).toFixed(0)} ms`);
  console.log(`  ${result.polls} polls, ${result.evaluations} batch detector runs, ${steps} new steps read in total, ${alerts} alerts`);
  console.log(
    `target watcher CPU < ${TARGET_CPU_PERCENT} % of one core between writes: ${percent.toFixed(2)} % ${percent < TARGET_CPU_PERCENT ? 'PASS' : 'MISS'}`,
  );
}
