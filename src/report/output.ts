import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { realpath, rename, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { stdout } from './terminal.js';

/** A text sink that batches small writes and respects backpressure (exports can be hundreds of MB). */
export interface TextOutput {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

const BATCH = 1 << 20;

export function textOutput(stream: Writable, closeStream: boolean): TextOutput {
  let pending: string[] = [];
  let size = 0;
  let failed: Error | undefined;
  stream.on('error', (e) => (failed = e));
  const flush = async () => {
    if (failed) throw failed;
    if (size === 0) return;
    const chunk = pending.join('');
    pending = [];
    size = 0;
    if (!stream.write(chunk)) await drained(stream);
  };
  return {
    async write(text) {
      pending.push(text);
      size += text.length;
      if (size >= BATCH) await flush();
    },
    async close() {
      await flush();
      if (closeStream) await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
      if (failed) throw failed;
    },
  };
}

/** Waits for 'drain', which a stream that failed or closed never emits: those reject instead of hanging. */
function drained(stream: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error | null) => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onError = (e: Error) => settle(e);
    const onClose = () => settle(stream.errored ?? new Error('output closed before all data was written'));
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
    if (stream.destroyed) onClose();
  });
}

/**
 * `-o FILE`, or stdout when no file (or `-`) is given. A file is written atomically: into a temporary
 * file beside it, renamed over the target by `close()`. A failed write or an interrupt (Ctrl-C,
 * SIGTERM) removes the temporary file and leaves the previous target as it was, so a CSV cut at a
 * line boundary can never pass for a complete one.
 */
export function openOutput(file: string | undefined): TextOutput {
  if (!file || file === '-') return textOutput(stdout, false);
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const stream = createWriteStream(temp, { flags: 'wx' });
  // The user named `file`: errors (no such directory, no permission) name it, not our temporary.
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.path === temp) e.path = file;
  });
  liveTemps.add(temp);
  watchInterrupts();
  const inner = textOutput(stream, true);
  const discard = () => {
    stream.destroy();
    forget(temp);
    rmSync(temp, { force: true });
  };
  return {
    async write(text) {
      try {
        await inner.write(text);
      } catch (e) {
        discard();
        throw e;
      }
    },
    async close() {
      try {
        await inner.close();
        await rename(temp, file);
      } catch (e) {
        discard();
        const err = e as NodeJS.ErrnoException;
        if (err.path === temp) err.path = file;
        throw e;
      } finally {
        forget(temp);
      }
    },
  };
}

/**
 * The one that names an input: `output` is the same file as one of `inputs` (compared by device and
 * inode after following links, not by spelling, so `./a/../x`, a symlink, a hard link or another
 * letter case on Windows are caught). Undefined when the output does not exist yet or is none of them.
 */
export async function outputIsInput(output: string | undefined, inputs: Iterable<string>): Promise<string | undefined> {
  if (!output || output === '-') return undefined;
  const out = await stat(output).catch(() => undefined);
  if (!out) return undefined;
  for (const input of inputs) {
    const s = await stat(input).catch(() => undefined);
    if (s && s.dev === out.dev && s.ino === out.ino && (s.ino !== 0 || (await samePath(input, output)))) return input;
  }
  return undefined;
}

/** Where inode numbers are not available (0), the real paths decide (case-insensitively on Windows). */
async function samePath(a: string, b: string): Promise<boolean> {
  const [ra, rb] = await Promise.all([realpath(a).catch(() => resolve(a)), realpath(b).catch(() => resolve(b))]);
  return process.platform === 'win32' ? ra.toLowerCase() === rb.toLowerCase() : ra === rb;
}

/** Temporary outputs not yet renamed or removed: what an interrupt must clean up. */
const liveTemps = new Set<string>();
let interruptsWatched = false;

function forget(temp: string): void {
  liveTemps.delete(temp);
  if (liveTemps.size === 0 && interruptsWatched) {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    interruptsWatched = false;
  }
}

function watchInterrupts(): void {
  if (interruptsWatched) return;
  interruptsWatched = true;
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
}

/** Listening replaces Node's default (exit at once), so this removes the temporaries and then exits as Node would have. */
function onInterrupt(signal: NodeJS.Signals): void {
  removeLiveTemps();
  process.exit(signal === 'SIGTERM' ? 143 : 130);
}

/** Synchronous on purpose: it runs just before the process exits. Exported for the interrupt test. */
export function removeLiveTemps(): void {
  for (const temp of liveTemps) rmSync(temp, { force: true });
  liveTemps.clear();
}
