import { basename, dirname, sep } from 'node:path';

/** When a kohya run started, as far as its directory and event files say. */
export interface RunTimes {
  /** Unix seconds from each event file's name (`events.out.tfevents.<unix10>…`), else its first wall time. */
  eventTimes: { file: string; time: number; from: 'name' | 'wall_time' }[];
  /** `<prefix><YYYYmmddHHMMSS>` read as if UTC; the real zone is unknown (kohya writes local time). */
  dirTime?: { component: string; prefix: string; time: number };
}

export interface LinkableRun {
  name: string;
  dir: string;
  files: { path: string; firstWallTime: number }[];
  /** kohya --log_config hyper-parameters (output_name links a run's files by name), when logged. */
  hparams?: Record<string, unknown>;
}

const EVENT_TIME = /tfevents\.(\d{9,11})(?:\.|$)/;
const DIR_TIME = /^(.*?)(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

export function runTimes(run: LinkableRun): RunTimes {
  const eventTimes: RunTimes['eventTimes'] = [];
  for (const f of run.files) {
    const m = EVENT_TIME.exec(basename(f.path));
    if (m) eventTimes.push({ file: basename(f.path), time: Number(m[1]), from: 'name' });
    else if (Number.isFinite(f.firstWallTime)) eventTimes.push({ file: basename(f.path), time: f.firstWallTime, from: 'wall_time' });
  }
  // The timestamp is on `<prefix><ts>`, which is the run dir or (with `network_train/`) its parent.
  const parts = run.dir.split(/[\\/]/).filter(Boolean);
  for (const component of parts.slice(-3).reverse()) {
    const t = dirTimestamp(component);
    if (t) return { eventTimes, dirTime: t };
  }
  return { eventTimes };
}

export function dirTimestamp(component: string): RunTimes['dirTime'] | undefined {
  const m = DIR_TIME.exec(component);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(2).map(Number);
  if (y < 2000 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  return { component, prefix: m[1], time: Date.UTC(y, mo - 1, d, h, mi, s) / 1000 };
}

/** Directory steps between two directories (up to the common ancestor, then down). */
export function directoryDistance(a: string, b: string): number {
  const pa = a.split(/[\\/]/).filter(Boolean);
  const pb = b.split(/[\\/]/).filter(Boolean);
  if (pa[0] !== pb[0] && (sep === '\\' || /^[A-Za-z]:$/.test(pa[0] ?? ''))) return 1000; // different drives
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return pa.length - i + (pb.length - i);
}

export function parentDir(path: string): string {
  return dirname(path);
}
