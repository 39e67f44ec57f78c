import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Series } from '../../src/runs/series.js';
import type { Run } from '../../src/runs/types.js';

/** A run made of scalar series only (no files, restarts or hparams): crafted pages and benchmarks. */
export function scalarRun(name: string, scalars: [string, Series][]): Run {
  return {
    name,
    dir: join(tmpdir(), name),
    files: [],
    view: 'data-server',
    scalars: new Map(scalars),
    tags: [],
    restarts: [],
    superseded: 0,
    hparams: {},
    sideRuns: [],
    otherRecords: {},
  };
}
