// Shared by the follow / watch tests; nothing else imports it.
import { basename } from 'node:path';
import type { Run } from '../../src/runs/types.js';

/** Deterministic PRNG (mulberry32) so a failing chunk pattern can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `total` bytes into random chunk sizes in [1, max]: most cuts fall inside records. */
export function randomCuts(total: number, max: number, random: () => number): number[] {
  const cuts: number[] = [];
  let at = 0;
  while (at < total) {
    at = Math.min(total, at + 1 + Math.floor(random() * max));
    cuts.push(at);
  }
  return cuts;
}

/** The parts of runs a user sees: series, inventory, restarts, damage, hyper-parameters. */
export function comparable(runs: Run[]) {
  return runs.map((r) => ({
    name: r.name,
    scalars: [...r.scalars].map(([tag, s]) => ({ tag, steps: [...s.steps], wallTimes: [...s.wallTimes], values: [...s.values] })),
    tags: r.tags,
    restarts: r.restarts.map((x) => ({ ...x, file: basename(x.file) })),
    superseded: r.superseded,
    hparams: r.hparams,
    sideRuns: r.sideRuns,
    otherRecords: r.otherRecords,
    files: r.files.map((f) => ({
      name: f.name,
      size: f.size,
      records: f.records,
      events: f.events,
      damage: f.damage,
      firstStep: f.firstStep,
      lastStep: f.lastStep,
    })),
  }));
}
