import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFileVersionEvent, encodeScalarEvent } from '../../events/encode-event.js';
import { assemblySink, buildRun, newFileReport, newRunAssembly, type RunAssembly } from '../../runs/run-assembly.js';
import type { RunIdentity } from '../../identity/identity.js';
import type { EventFileReport, Run } from '../../runs/types.js';
import { frameRecord } from '../../tfrecord/write-records.js';
import { scanWindow, newScanState } from '../../tfrecord/scan.js';
import { DEFAULT_CONFIG } from '../config.js';
import { diagnoseRun } from '../diagnose.js';
import { severityRank, type Finding } from '../finding.js';
import { isLiveFinding, newAlerts } from './alerts.js';
import { evaluationDue, markEvaluated, newLiveRun, observeScalar, type LiveRun } from './live-run.js';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/kohya');

/** The framed records of a file, in order. */
function recordsOf(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const state = newScanState(bytes.length);
  scanWindow(state, bytes, bytes.length, 0, true, {
    record: (b, s, e) => out.push(frameRecord(b.slice(s, e))),
    damage: () => {},
  });
  return out;
}

interface Replay {
  /** Step of the judged loss at which each alert key first appeared. */
  firstAlert: Map<string, number>;
  evaluations: number;
  points: number;
}

const alertKey = (f: Finding) => `${f.kind}|${f.tag ?? ''}`;

/**
 * Feeds a file record by record into a run assembly, as watch does, and after every new judged-loss
 * point either (a) asks the live gates whether to re-run the batch detectors, or (b) always re-runs
 * them (the reference). Alerts are the live kinds at warning or worse.
 */
function replay(records: Uint8Array[], gated: boolean, maxStep = Infinity): Replay {
  const live: LiveRun = newLiveRun();
  const run: RunAssembly = newRunAssembly('r', '/r', {
    onScalar: (builder, from) => observeScalar(live, builder, from, () => [...run.tags].filter(([, s]) => s.builder).map(([t]) => t)),
  });
  const report: EventFileReport = newFileReport('/r', '/r/events.out.tfevents.1.x');
  const sink = assemblySink(run, report);
  const memory = new Map<string, Finding['severity']>();
  const firstAlert = new Map<string, number>();
  let evaluations = 0;
  let offset = 0;
  let lossLength = 0;
  for (const rec of records) {
    sink.record(rec, 12, rec.length - 4, offset);
    offset += rec.length;
    const loss = live.lossTag ? run.tags.get(live.lossTag)?.builder : undefined;
    if (!loss || loss.length === lossLength) continue;
    lossLength = loss.length;
    if (loss.steps[loss.length - 1] > maxStep) break;
    const reason = gated ? evaluationDue(live, DEFAULT_CONFIG) : 'block';
    if (reason === null) continue;
    evaluations++;
    const view: Run = buildRun(run, [report], false);
    const findings = diagnoseRun({ run: view, identity: { source: 'none' }, weights: [] });
    for (const f of newAlerts(memory, findings)) if (!firstAlert.has(alertKey(f))) firstAlert.set(alertKey(f), loss.steps[loss.length - 1]);
    markEvaluated(live, reason, loss, memory);
  }
  void live;
  return { firstAlert, evaluations, points: lossLength };
}

function expectSameAlerts(records: Uint8Array[], maxStep = Infinity): Replay {
  const reference = replay(records, false, maxStep);
  const gated = replay(records, true, maxStep);
  expect(Object.fromEntries(gated.firstAlert)).toEqual(Object.fromEntries(reference.firstAlert));
  return gated;
}

/** A kohya-like run from a real run's losses, with a change injected at `at`. */
function injected(base: Float64Array, change: (loss: number, step: number) => number): Uint8Array[] {
  const out = [frameRecord(encodeFileVersionEvent(1795960000))];
  for (let i = 0; i < base.length; i++) {
    const step = i + 1;
    const wall = 1795960000 + step;
    out.push(frameRecord(encodeScalarEvent(wall, step, 'loss/current', change(base[i], step))));
    out.push(frameRecord(encodeScalarEvent(wall, step, 'lr/unet', step < 100 ? step * 1e-6 : 1e-4)));
  }
  return out;
}

function fixtureRecords(path: string): Uint8Array[] {
  return recordsOf(readFileSync(join(FIXTURES, path)));
}

/** A run assembled from all the records at once, as one file at `path` (replay above feeds them one by one). */
function assembled(records: Uint8Array[], path: string): { run: RunAssembly; report: EventFileReport } {
  const run = newRunAssembly('r', '/r');
  const report = newFileReport('/r', path);
  const sink = assemblySink(run, report);
  let offset = 0;
  for (const r of records) {
    sink.record(r, 12, r.length - 4, offset);
    offset += r.length;
  }
  return { run, report };
}

function lossValues(records: Uint8Array[]): Float64Array {
  const { run } = assembled(records, '/r/x');
  const b = run.tags.get('loss/current')!.builder!;
  return Float64Array.from(b.values.subarray(0, b.length));
}

describe('live detector gates agree with diagnose on every prefix', () => {
  it('explode fixture: the divergence alerts at the same step as re-running diagnose after every point', () => {
    const g = expectSameAlerts(fixtureRecords('explode/glypha-explode-20261129140407/network_train/events.out.tfevents.1795961047.vm.6543.0'), 1100);
    expect([...g.firstAlert.keys()]).toContain('explosion|loss/current');
    // Far fewer batch runs than points: block boundaries plus gate openings.
    expect(g.evaluations).toBeLessThan(g.points / 8);
  });

  it('nan-late fixture: the NaN alerts once it has stayed for nan.minConsecutive points (1607-1609)', () => {
    const g = expectSameAlerts(fixtureRecords('nan-late/glypha-nan-late-20261129140416/network_train/events.out.tfevents.1795961056.vm.6643.0'), 1650);
    expect(g.firstAlert.get('nan_loss|loss/current')).toBe(1607 + DEFAULT_CONFIG.nan.minConsecutive - 1);
  });

  it('isolated fp16-style NaNs, one of them the last point of a poll or of the run: no alert at any prefix', () => {
    const base = adamw();
    const bad = new Set([300, 301, 650, 900, 1200]);
    const records = injected(base, (x, s) => (bad.has(s) ? NaN : x));
    // Every prefix is checked, including the ones ending right on a NaN (steps 300, 650, 900, 1200).
    const g = expectSameAlerts(records);
    expect(g.firstAlert.size).toBe(0);
  });

  const adamw = () =>
    lossValues(fixtureRecords('sweep/adamw/glypha-adamw-20261129140106/network_train/events.out.tfevents.1795960866.vm.5635.0')).subarray(0, 1200);
  const medianOf = (x: Float64Array) => [...x].sort((a, b) => a - b)[x.length >> 1];
  const cases: [string, (x: number, s: number, median: number) => number, (r: Replay) => void][] = [
    [
      'unchanged (healthy)',
      (x) => x,
      (r) => {
        expect(r.firstAlert.size).toBe(0);
        // Block boundaries only: one batch run per 50-point block.
        expect(r.evaluations).toBeLessThan(1200 / 20);
      },
    ],
    ['2x from step 600', (x, s) => (s >= 600 ? 2 * x : x), (r) => expect(r.firstAlert.has('explosion|loss/current')).toBe(true)],
    ['4x from step 1000', (x, s) => (s >= 1000 ? 4 * x : x), (r) => expect(r.firstAlert.has('explosion|loss/current')).toBe(true)],
    ['slow ramp from step 400', (x, s) => (s >= 400 ? x * (1 + (s - 400) / 300) : x), () => {}],
    ['20-step 10x burst at 700', (x, s) => (s >= 700 && s < 720 ? 10 * x : x), () => {}],
    ['one point 5000x the median at 800', (x, s, m) => (s === 800 ? 5000 * m : x), (r) => expect(r.firstAlert.get('loss_outlier|loss/current')).toBe(800)],
  ];
  it.each(cases)('injected into a real run: %s', (_name, change, check) => {
    const base = adamw();
    const median = medianOf(base);
    const gated = expectSameAlerts(injected(base, (x, s) => change(x, s, median)));
    check(gated);
  });

  it('gradient accumulation (every micro-batch logged at the same step) costs no rescans and changes nothing', () => {
    const base = lossValues(fixtureRecords('sweep/adamw/glypha-adamw-20261129140106/network_train/events.out.tfevents.1795960866.vm.5635.0'));
    const G = 4;
    const records = [frameRecord(encodeFileVersionEvent(1795960000))];
    for (let m = 0; m < base.length; m++) {
      const step = Math.floor(m / G);
      const loss = step >= 400 ? 4 * base[m] : base[m];
      records.push(frameRecord(encodeScalarEvent(1795960000 + m, step, 'loss/current', loss)));
      records.push(frameRecord(encodeScalarEvent(1795960000 + m, step, 'lr/unet', 1e-4)));
    }
    const gated = expectSameAlerts(records);
    expect(gated.points).toBe(base.length / G);
    expect(gated.firstAlert.has('explosion|loss/current')).toBe(true);
    expect(gated.evaluations).toBeLessThan(gated.points / 5);
  });

  it('alerts only for verdicts that hold on a prefix: a NaN lr does, a warmup still rising does not', () => {
    const base = adamw().subarray(0, 400);
    const nanLr: Uint8Array[] = [frameRecord(encodeFileVersionEvent(1795960000))];
    const rising: Uint8Array[] = [frameRecord(encodeFileVersionEvent(1795960000))];
    for (let i = 0; i < base.length; i++) {
      const step = i + 1;
      nanLr.push(frameRecord(encodeScalarEvent(1795960000 + step, step, 'loss/current', base[i])));
      nanLr.push(frameRecord(encodeScalarEvent(1795960000 + step, step, 'lr/unet', step >= 300 ? NaN : 1e-4)));
      rising.push(frameRecord(encodeScalarEvent(1795960000 + step, step, 'loss/current', base[i])));
      rising.push(frameRecord(encodeScalarEvent(1795960000 + step, step, 'lr/unet', step * 1e-7)));
    }
    // With a known scheduler, a still-rising lr is the batch's "warmup never finished" warning.
    const all = (records: Uint8Array[], identity: RunIdentity = { source: 'none' }) => {
      const { run, report } = assembled(records, '/r/events.out.tfevents.1.x');
      return diagnoseRun({ run: buildRun(run, [report], false), identity, weights: [] });
    };
    const nanFindings = all(nanLr);
    expect(newAlerts(new Map(), nanFindings).map((f) => f.kind)).toContain('lr_schedule');
    const risingFindings = all(rising, { source: 'hparams', lrScheduler: 'cosine' });
    expect(risingFindings.some((f) => f.kind === 'lr_schedule' && severityRank(f.severity) <= severityRank('warning'))).toBe(true);
    expect(newAlerts(new Map(), risingFindings).map((f) => f.kind)).not.toContain('lr_schedule');
    for (const f of newAlerts(new Map(), [...nanFindings, ...risingFindings])) {
      expect(isLiveFinding(f)).toBe(true);
      expect(severityRank(f.severity)).toBeLessThanOrEqual(severityRank('warning'));
    }
  });
});
