import type { Severity } from '../../detect/finding.js';
import type { RunProgress } from '../../runs/follow/progress.js';
import type { Paint } from '../color.js';
import { termText } from '../escape.js';
import { fmtNum } from '../format.js';

export type RunPhase = 'active' | 'quiet' | 'finished' | 'idle';

/** One run's line in the live status block (TTY) or a progress line (log). */
export interface RunStatus {
  name: string;
  phase: RunPhase;
  progress: RunProgress;
  /** Alerts so far, worst first. */
  alerts: { kind: string; severity: Severity }[];
  /** Seconds since the run last wrote, when known. */
  quietSeconds: number | null;
}

export function durationText(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m % 60).padStart(2, '0')}m`;
}

/** `0.0612 ↓8%`: the recent loss mean and its change against the window before it. */
export function trendText(p: RunProgress): string {
  if (p.lossNonFinite) return 'NaN';
  if (p.lossRecent === null) return '–';
  if (p.lossBefore === null || !(p.lossBefore > 0)) return fmtNum(p.lossRecent);
  const change = p.lossRecent / p.lossBefore - 1;
  const arrow = change <= -0.02 ? '↓' : change >= 0.02 ? '↑' : '→';
  return `${fmtNum(p.lossRecent)} ${arrow}${Math.abs(Math.round(change * 100))}%`;
}

function stepPart(p: RunProgress): string {
  if (p.step === null) return 'no steps yet';
  if (p.maxSteps === null) return `step ${p.step}`;
  return `step ${p.step}/${p.maxSteps} ${Math.min(100, Math.floor((100 * p.step) / p.maxSteps))}%`;
}

function phasePart(s: RunStatus): string {
  switch (s.phase) {
    case 'active':
      return s.progress.etaSeconds !== null
        ? `ETA ${durationText(s.progress.etaSeconds)}`
        : s.progress.stepsPerSecond !== null
          ? `${fmtNum(s.progress.stepsPerSecond)} steps/s`
          : '';
    case 'quiet':
      return `quiet ${durationText(s.quietSeconds ?? NaN)}`;
    case 'finished':
      return 'finished';
    case 'idle':
      return 'idle';
  }
}

/** The plain fields of a status line, in order, without colour. */
export function statusFields(s: RunStatus): string[] {
  const loss = s.progress.lossTag ? `${termText(s.progress.lossTag)} ${trendText(s.progress)}` : '';
  const alerts = s.alerts.length > 0 ? `${s.alerts.length === 1 ? '1 alert' : `${s.alerts.length} alerts`}: ${s.alerts.map((a) => a.kind).join(', ')}` : '';
  return [stepPart(s.progress), loss, phasePart(s), alerts].filter(Boolean);
}

/** One status line, cut to `width` columns so the block can be redrawn in place. */
export function statusLine(s: RunStatus, nameWidth: number, width: number, p: Paint): string {
  const name = termText(s.name);
  const padded = name.length > nameWidth ? `${name.slice(0, nameWidth - 1)}…` : name.padEnd(nameWidth);
  const fields = statusFields(s);
  const plain = `${padded}  ${fields.join('  ')}`;
  const cut = plain.length > width - 1 ? `${plain.slice(0, Math.max(0, width - 2))}…` : plain;
  const worst = s.alerts[0]?.severity;
  const color = worst === 'error' ? p.red : worst === 'warning' ? p.yellow : s.phase === 'active' ? (x: string) => x : p.dim;
  return color(cut);
}

/** A progress line for logs (non-TTY): `<run>: step …, loss …, ETA …`. */
export function progressLine(s: RunStatus): string {
  return `${termText(s.name)}: ${statusFields(s).join(', ')}`;
}

/**
 * Redraws the status block in place: up over the previous block, clear to the end of the screen,
 * write the new lines. Plain ANSI sequences, which Windows 10+ consoles (through libuv) honour too.
 */
export function redrawBlock(previousLines: number, lines: string[]): string {
  const up = previousLines > 0 ? `\u001b[${previousLines}F` : '';
  return `${up}\u001b[0J${lines.map((l) => `${l}\n`).join('')}`;
}

/** Clears the block before ordinary lines (alerts, notes) are printed above it. */
export function clearBlock(previousLines: number): string {
  return previousLines > 0 ? `\u001b[${previousLines}F\u001b[0J` : '';
}
