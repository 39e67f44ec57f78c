// Reader speed: writes its own inputs with tblens's event writer, then loads them and prints MB/s
// and events/s next to a bare CRC-only pass over the same bytes measured in the same process.
// Each measurement runs in a child process so its peak RSS is its own.
import { execFile } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { encodeFileVersionEvent, encodeScalarEvent } from '../src/events/encode-event.js';
import { eventFileName, KOHYA_TAGS, kohyaEvents } from './kohya-events.js';
import { crc32c } from '../src/tfrecord/crc32c.js';
import { readRecordFile } from '../src/tfrecord/read-file.js';
import { writeRecordFile } from '../src/tfrecord/write-records.js';
import { loadLogdirs } from '../src/runs/load-logdir.js';
import { loadRun } from '../src/runs/load-run.js';
import { discoverRuns } from '../src/runs/discover.js';
import type { Run } from '../src/runs/types.js';

const SINGLE_STEPS = 250_000;
const SWEEP_RUNS = 200;
const SWEEP_STEPS = 3_000;
const TARGET_MBS = 150;
const LOAD_REPEATS = 5;
const TARGET_RSS_MB = 150;
const TARGET_SWEEP_S = 2;
const TARGET_DIAGNOSE_RATIO = 2;
const MANY_TAGS = 100_000;
const TARGET_MANY_TAGS_RSS_MB = 250;

const mb = (bytes: number) => bytes / 1e6;
const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Best wall time of `times` runs, and the least CPU time (all threads of this process) of any run:
 * on a busy machine the CPU time shows what the work costs when wall time is inflated by waiting.
 */
async function best<T>(times: number, f: () => Promise<T>): Promise<{ ms: number; cpuMs: number; first: number; value: T }> {
  let ms = Infinity;
  let cpuMs = Infinity;
  let first = 0;
  let value!: T;
  for (let k = 0; k < times; k++) {
    gc();
    const cpu = process.cpuUsage();
    const t = performance.now();
    value = await f();
    const elapsed = performance.now() - t;
    const used = process.cpuUsage(cpu);
    if (k === 0) first = elapsed;
    ms = Math.min(ms, elapsed);
    cpuMs = Math.min(cpuMs, (used.user + used.system) / 1000);
  }
  return { ms, cpuMs, first, value };
}

/** CRC-32C over every byte of the files, read in 4 MB chunks: the floor any checked reader pays. */
async function bareCrcPass(files: string[]): Promise<number> {
  const buffer = new Uint8Array(4 << 20);
  let x = 0;
  for (const path of files) {
    const handle = await open(path, 'r');
    try {
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        x ^= crc32c(buffer, 0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  }
  return x;
}

/** The record layer alone: framing and both CRCs per record, no protobuf decoding. */
async function framingPass(files: string[]): Promise<number> {
  let records = 0;
  for (const path of files) {
    await readRecordFile(path, { record() {}, damage() {} }).then((r) => {
      if (r.ok) records += r.records;
    });
  }
  return records;
}

function maxRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

interface SingleResult {
  bytes: number;
  events: number;
  points: number;
  crcMs: number;
  crcCpuMs: number;
  framingMs: number;
  loadMs: number;
  loadCpuMs: number;
  loadFirstMs: number;
  rssAfterFirstLoadMb: number;
  rssMb: number;
}

async function childSingle(path: string): Promise<SingleResult> {
  const bytes = statSync(path).size;
  // The load runs first, in a fresh process as a user's would, so its peak RSS and JIT state are its own.
  let rssAfterFirstLoadMb = 0;
  let points = 0;
  const load = await best(LOAD_REPEATS, async () => {
    const run = await loadRun('.', join(path, '..'), [path]);
    if (rssAfterFirstLoadMb === 0) rssAfterFirstLoadMb = maxRssMb();
    points = [...run.scalars.values()].reduce((n, s) => n + s.length, 0);
    return run.files[0].events;
  });
  const crc = await best(3, () => bareCrcPass([path]));
  const framing = await best(3, () => framingPass([path]));
  return {
    bytes,
    events: load.value,
    points,
    crcMs: crc.ms,
    crcCpuMs: crc.cpuMs,
    framingMs: framing.ms,
    loadMs: load.ms,
    loadCpuMs: load.cpuMs,
    loadFirstMs: load.first,
    rssAfterFirstLoadMb,
    rssMb: maxRssMb(),
  };
}

interface SweepResult {
  files: number;
  bytes: number;
  events: number;
  crcMs: number;
  inThreadMs: number;
  inThreadCpuMs: number;
  workersMs: number;
  workersCpuMs: number;
  workersFirstMs: number;
  identical: boolean;
  diagnose?: { ms: number; runs: number } | { skipped: string };
  rssMb: number;
}

async function childSweep(root: string): Promise<SweepResult> {
  const found = await discoverRuns(root);
  if (!found.ok) throw new Error(found.error);
  const files = found.runs.flatMap((r) => r.files);
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const load = async (threads: number | undefined): Promise<Run[]> => {
    const r = await loadLogdirs([root], { threads });
    if (!r.ok) throw new Error(r.error);
    return r.roots[0].runs;
  };
  const inThread = await best(3, () => load(1));
  const workers = await best(3, () => load(undefined));
  const crc = await best(2, () => bareCrcPass(files));
  const events = inThread.value.reduce((n, run) => n + run.files.reduce((m, f) => m + f.events, 0), 0);
  const identical = isDeepStrictEqual(inThread.value, workers.value);
  const diagnose = await timeDiagnose(workers.value);
  return {
    files: files.length,
    bytes,
    events,
    crcMs: crc.ms,
    inThreadMs: inThread.ms,
    inThreadCpuMs: inThread.cpuMs,
    workersMs: workers.ms,
    workersCpuMs: workers.cpuMs,
    workersFirstMs: workers.first,
    identical,
    diagnose,
    rssMb: maxRssMb(),
  };
}

/** Diagnosis cost next to loading, when the detector module exists (another part of tblens). */
async function timeDiagnose(runs: Run[]): Promise<SweepResult['diagnose']> {
  const url = new URL('../src/detect/diagnose.js', import.meta.url);
  let mod: Record<string, unknown>;
  try {
    mod = await import(url.href);
  } catch {
    return { skipped: 'src/detect/diagnose.ts is not there yet' };
  }
  const diagnoseRun = mod.diagnoseRun as ((input: unknown, config: unknown) => unknown) | undefined;
  const config = mod.defaultConfig ?? mod.DEFAULT_CONFIG ?? mod.defaultDiagnoseConfig;
  if (typeof diagnoseRun !== 'function') return { skipped: 'diagnose.ts exports no diagnoseRun' };
  if (config === undefined) return { skipped: 'diagnose.ts exports no default config' };
  const result = await best(2, async () => {
    for (const run of runs) await diagnoseRun({ run, identity: { source: 'none' }, weights: [] }, config);
    return runs.length;
  });
  return { ms: result.ms, runs: result.value };
}

/** One value for each of `tags` distinct tags: the per-tag cost, with nothing else to hide it. */
function* manyTagEvents(tags: number): Iterable<Uint8Array> {
  yield encodeFileVersionEvent(1_795_960_866);
  for (let k = 0; k < tags; k++) yield encodeScalarEvent(1_795_960_866 + k, k, `metric/tag_${k}`, k / 7);
}

/** `tblens export` of a run directory to a CSV file, in this (fresh) process: its peak RSS. */
async function childExport(dir: string): Promise<{ code: number; ms: number; rssMb: number }> {
  const { main } = await import('../src/cli/main.js');
  const t = performance.now();
  const code = await main(['export', dir, '-o', join(dir, 'out.csv')]);
  return { code, ms: performance.now() - t, rssMb: maxRssMb() };
}

function runChild(mode: 'single' | 'sweep' | 'export', path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', mode, path], { maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${mode} child failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!));
    });
  });
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

export default async function readerBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tblens-reader-bench-'));
  try {
    const t0 = performance.now();
    const singleDir = join(dir, 'single', 'network_train');
    mkdirSync(singleDir, { recursive: true });
    const singlePath = join(singleDir, eventFileName(0));
    await writeRecordFile(singlePath, kohyaEvents(SINGLE_STEPS, 0));
    const sweepRoot = join(dir, 'sweep');
    for (let r = 0; r < SWEEP_RUNS; r++) {
      const runDir = join(sweepRoot, `run-${String(r).padStart(3, '0')}`, 'network_train');
      mkdirSync(runDir, { recursive: true });
      await writeRecordFile(join(runDir, eventFileName(r + 1)), kohyaEvents(SWEEP_STEPS, r + 1));
    }
    console.log(`reader: inputs written in ${fmt((performance.now() - t0) / 1000, 1)} s to ${dir}`);
    const machine = () =>
      `${availableParallelism()} cores, load average ${loadavg()
        .map((x) => fmt(x, 1))
        .join(' ')}`;
    console.log(
      `reader: machine ${machine()} (a load above the core count means other processes share the CPUs: wall times suffer, ratios and CPU times less)`,
    );

    const s = (await runChild('single', singlePath)) as SingleResult;
    const mbs = mb(s.bytes) / (s.loadMs / 1000);
    const crcMbs = mb(s.bytes) / (s.crcMs / 1000);
    const framingMbs = mb(s.bytes) / (s.framingMs / 1000);
    console.log(
      `reader: single file, ${fmt(mb(s.bytes), 1)} MB, ${fmt(s.events)} events (${KOHYA_TAGS.length} kohya tags × ${fmt(SINGLE_STEPS)} steps), ${fmt(s.points)} points`,
    );
    console.log(`  bare CRC-32C pass        ${fmt(crcMbs).padStart(6)} MB/s  ${fmt(s.events / (s.crcMs / 1000) / 1e6, 1).padStart(5)} M events/s`);
    console.log(`  framing + both CRCs      ${fmt(framingMbs).padStart(6)} MB/s  ${fmt(s.events / (s.framingMs / 1000) / 1e6, 1).padStart(5)} M events/s`);
    console.log(
      `  load (decode + series)   ${fmt(mbs).padStart(6)} MB/s  ${fmt(s.events / (s.loadMs / 1000) / 1e6, 1).padStart(5)} M events/s  = ${fmt(mbs / crcMbs, 2)} × the CRC pass (best of ${LOAD_REPEATS}; first load ${fmt(s.loadFirstMs)} ms)`,
    );
    console.log(
      `  CPU time                 load ${fmt(s.loadCpuMs)} ms = ${fmt(mb(s.bytes) / (s.loadCpuMs / 1000))} MB per CPU-second; CRC pass ${fmt(s.crcCpuMs)} ms = ${fmt(mb(s.bytes) / (s.crcCpuMs / 1000))}`,
    );
    console.log(`  peak RSS                 ${fmt(s.rssAfterFirstLoadMb).padStart(6)} MB after the first load (${fmt(s.rssMb)} MB after all passes)`);
    console.log(`  target single file ≥ ${TARGET_MBS} MB/s: ${fmt(mbs)} MB/s ${verdict(mbs >= TARGET_MBS)}`);
    console.log(`  target peak RSS ≤ ${TARGET_RSS_MB} MB: ${fmt(s.rssAfterFirstLoadMb)} MB ${verdict(s.rssAfterFirstLoadMb <= TARGET_RSS_MB)}`);

    const w = (await runChild('sweep', sweepRoot)) as SweepResult;
    const sweepCrcMbs = mb(w.bytes) / (w.crcMs / 1000);
    const line = (label: string, ms: number) =>
      `  ${label.padEnd(24)} ${fmt(ms / 1000, 2).padStart(6)} s   ${fmt(mb(w.bytes) / (ms / 1000)).padStart(5)} MB/s  ${fmt(w.events / (ms / 1000) / 1e6, 1).padStart(5)} M events/s  = ${fmt(mb(w.bytes) / (ms / 1000) / sweepCrcMbs, 2)} × the CRC pass`;
    console.log(`reader: sweep, ${w.files} runs × ${fmt(SWEEP_STEPS)} steps × ${KOHYA_TAGS.length} tags, ${fmt(mb(w.bytes), 1)} MB, ${fmt(w.events)} events`);
    console.log(`  bare CRC-32C pass        ${fmt(w.crcMs / 1000, 2).padStart(6)} s   ${fmt(sweepCrcMbs).padStart(5)} MB/s`);
    console.log(line('load, one thread', w.inThreadMs) + `  (CPU ${fmt(w.inThreadCpuMs / 1000, 2)} s)`);
    console.log(
      line(`load, ${availableParallelism()} threads`, w.workersMs) + `  (CPU ${fmt(w.workersCpuMs / 1000, 2)} s; first ${fmt(w.workersFirstMs / 1000, 2)} s)`,
    );
    console.log(`  worker result identical to in-thread: ${w.identical ? 'yes' : 'NO'}`);
    console.log(`  target sweep ≤ ${TARGET_SWEEP_S} s: ${fmt(w.workersMs / 1000, 2)} s ${verdict(w.workersMs / 1000 <= TARGET_SWEEP_S && w.identical)}`);
    if (w.diagnose && 'ms' in w.diagnose) {
      const ratio = w.diagnose.ms / w.workersMs;
      console.log(`  diagnose ${w.diagnose.runs} runs: ${fmt(w.diagnose.ms / 1000, 2)} s = ${fmt(ratio, 2)} × loading them`);
      console.log(`  target diagnose ≤ ${TARGET_DIAGNOSE_RATIO}× load: ${fmt(ratio, 2)}× ${verdict(ratio <= TARGET_DIAGNOSE_RATIO)}`);
    } else if (w.diagnose) {
      console.log(`  diagnose cost: skipped (${w.diagnose.skipped})`);
    }
    // Per-tag memory: export of 100 k one-value tags against the same for 10 tags (the process's own floor).
    const tagDirs = [10, MANY_TAGS].map((n) => join(dir, `tags-${n}`));
    for (const [k, n] of [10, MANY_TAGS].entries()) {
      mkdirSync(tagDirs[k], { recursive: true });
      await writeRecordFile(join(tagDirs[k], eventFileName(k)), manyTagEvents(n));
    }
    const floor = (await runChild('export', tagDirs[0])) as { code: number; rssMb: number };
    const many = (await runChild('export', tagDirs[1])) as { code: number; ms: number; rssMb: number };
    const perTag = ((many.rssMb - floor.rssMb) * 1024 * 1024) / MANY_TAGS;
    console.log(
      `reader: ${fmt(MANY_TAGS)} distinct tags (${fmt(mb(statSync(join(tagDirs[1], eventFileName(1))).size), 1)} MB), export in ${fmt(many.ms / 1000, 2)} s (exit ${many.code})`,
    );
    console.log(`  peak RSS                 ${fmt(many.rssMb)} MB (10 tags: ${fmt(floor.rssMb)} MB) = ${fmt(perTag)} bytes per tag`);
    console.log(
      `  target peak RSS ≤ ${TARGET_MANY_TAGS_RSS_MB} MB: ${fmt(many.rssMb)} MB ${verdict(many.rssMb <= TARGET_MANY_TAGS_RSS_MB && many.code === 0)}`,
    );
    console.log(`reader: machine at the end: ${machine()}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--child') {
  const [mode, path] = process.argv.slice(3);
  const result = mode === 'single' ? await childSingle(path) : mode === 'export' ? await childExport(path) : await childSweep(path);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
