// Loading many runs on worker threads. Each run is loaded whole by one worker with the same
// `loadRun` the main thread uses, and comes back by structured clone with its series buffers
// transferred, so the result equals an in-thread load and is placed at the run's own index.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { RunLocation } from './discover.js';
import { loadRun, type LoadRunOptions } from './load-run.js';
import type { Run } from './types.js';

const SELF = fileURLToPath(import.meta.url);
const WORKER_KIND = 'tblens-load-run';

interface Job {
  index: number;
  location: RunLocation;
}

type Reply = { index: number; run: Run } | { index: number; error: string };

/**
 * Workers start from this module's compiled file. Run from TypeScript sources (vitest), there is
 * no such file for a plain Node worker, and loading stays on the calling thread.
 */
export function workersAvailable(): boolean {
  return SELF.endsWith('.js');
}

/** Threads to load on, the calling one included: one per core, 8 at most. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

function transferList(run: Run): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const s of run.scalars.values()) {
    for (const column of [s.steps, s.wallTimes, s.values]) {
      // Each column owns its buffer (loadRun hands over or trims them), so it can move; shared memory cannot.
      if (column.buffer instanceof ArrayBuffer) buffers.add(column.buffer);
    }
  }
  return [...buffers];
}

/**
 * Runs loaded at once per thread: while one run's file is being read (the thread pool), another
 * run is decoded, so the thread does not wait on I/O. Runs are independent, so this changes no result.
 */
const DEPTH = 2;

/** A shared queue of run indices: every thread takes the next one when it has room. */
interface Queue {
  locations: RunLocation[];
  results: (Run | undefined)[];
  next: number;
  loaded: number;
  onLoaded?: (loaded: number, total: number) => void;
}

function newQueue(locations: RunLocation[], onLoaded?: (loaded: number, total: number) => void): Queue {
  return { locations, results: new Array(locations.length).fill(undefined), next: 0, loaded: 0, onLoaded };
}

/** A run is in: its slot is filled and the progress callback hears of it. */
function settle(queue: Queue, index: number, run: Run): void {
  queue.results[index] = run;
  queue.loaded++;
  queue.onLoaded?.(queue.loaded, queue.locations.length);
}

/** Loads runs from the queue on this thread, `DEPTH` at a time, until it is empty. */
async function drainHere(queue: Queue, options: LoadRunOptions): Promise<void> {
  const lane = async () => {
    while (queue.next < queue.locations.length) {
      const i = queue.next++;
      const loc = queue.locations[i];
      settle(queue, i, await loadRun(loc.name, loc.dir, loc.files, options));
    }
  };
  await Promise.all(Array.from({ length: DEPTH }, lane));
}

/** Feeds one worker from the queue, keeping `DEPTH` runs in flight on it; resolves when it is done or has failed. */
function drive(worker: Worker, queue: Queue): Promise<void> {
  return new Promise<void>((resolve) => {
    let inFlight = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      resolve();
    };
    const send = () => {
      while (inFlight < DEPTH && queue.next < queue.locations.length) {
        const index = queue.next++;
        const job: Job = { index, location: queue.locations[index] };
        worker.postMessage(job);
        inFlight++;
      }
      if (inFlight === 0) finish();
    };
    worker.on('message', (reply: Reply) => {
      inFlight--;
      if ('run' in reply) settle(queue, reply.index, reply.run);
      send();
    });
    // A failed worker's unfinished runs stay undefined and are loaded on this thread afterwards.
    worker.on('error', finish);
    worker.on('exit', finish);
    send();
  });
}

/** Loads runs on the calling thread only (same order, same results as with workers). */
export async function loadRunsHere(locations: RunLocation[], options: LoadRunOptions, onLoaded?: (loaded: number, total: number) => void): Promise<Run[]> {
  const queue = newQueue(locations, onLoaded);
  await drainHere(queue, options);
  return queue.results as Run[];
}

/**
 * Loads `locations` on `threads` threads: this one plus `threads − 1` workers, each taking the next
 * run from a shared queue when free (this thread would otherwise sit idle while workers start).
 * Results are in the order of `locations`. If a worker cannot start or fails, the runs it did not
 * finish are loaded on this thread, so a result is always complete.
 */
export async function loadRunsInWorkers(
  locations: RunLocation[],
  options: LoadRunOptions,
  threads = defaultThreads(),
  onLoaded?: (loaded: number, total: number) => void,
): Promise<Run[]> {
  const queue = newQueue(locations, onLoaded);
  const count = Math.max(0, Math.min(threads - 1, Math.ceil(locations.length / DEPTH) - 1));
  const workerOptions = { view: options.view, tagFilter: options.tagFilter };
  const workers: Promise<void>[] = [];
  for (let k = 0; k < count; k++) {
    let worker: Worker;
    try {
      worker = new Worker(SELF, { workerData: { kind: WORKER_KIND, options: workerOptions } });
    } catch {
      break;
    }
    workers.push(drive(worker, queue));
  }
  await Promise.all([...workers, drainHere(queue, options)]);
  for (let i = 0; i < locations.length; i++) {
    if (!queue.results[i]) {
      const loc = locations[i];
      settle(queue, i, await loadRun(loc.name, loc.dir, loc.files, options));
    }
  }
  return queue.results as Run[];
}

if (!isMainThread && parentPort && (workerData as { kind?: string } | null)?.kind === WORKER_KIND) {
  const port = parentPort;
  const options = (workerData as { options: LoadRunOptions }).options;
  port.on('message', async (job: Job) => {
    let reply: Reply;
    try {
      const run = await loadRun(job.location.name, job.location.dir, job.location.files, options);
      reply = { index: job.index, run };
      port.postMessage(reply, transferList(run));
    } catch (error) {
      reply = { index: job.index, error: error instanceof Error ? error.message : String(error) };
      port.postMessage(reply);
    }
  });
}
