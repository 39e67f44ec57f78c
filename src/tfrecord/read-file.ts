import { constants, open, type FileHandle } from 'node:fs/promises';
import { newScanState, resyncWork, scanWindow, type RecordSink } from './scan.js';
import { ioMessage } from '../io/io-message.js';
import { fsPath } from '../io/raw-path.js';

export interface ReadFileOptions {
  /** Absolute byte offset to start at (watch mode resumes where the previous read stopped). */
  start?: number;
  /** Bytes read per I/O call; memory stays at about twice this size plus the largest record. */
  chunkSize?: number;
}

export type ReadFileResult =
  | {
      ok: true;
      /** Size of the file when it was read. */
      size: number;
      /** Offset just past the last complete record: where a later read of a growing file resumes. */
      resumeAt: number;
      records: number;
      damaged: boolean;
      /** What resynchronising over damage cost (see `resyncWork`). */
      resync: { candidates: number; hashedBytes: number };
    }
  | { ok: false; error: string };

const DEFAULT_CHUNK = 4 << 20;

/**
 * Streams the records of one TFRecord file into `sink`. Memory is bounded by the chunk size and
 * the largest record, never by the file size, and never exceeds the bytes the file holds. The
 * next chunk is read while the current one is scanned. I/O failures (missing file, permission)
 * come back as `{ ok: false }`; damage inside the file goes to `sink.damage` and reading continues.
 */
export async function readRecordFile(path: string, sink: RecordSink, options: ReadFileOptions = {}): Promise<ReadFileResult> {
  const windows = scanRecordFile(path, sink, options);
  for (;;) {
    const step = await windows.next();
    if (step.done) return step.value;
  }
}

/**
 * `readRecordFile` one window at a time: the sink is called for the records of a window, then the
 * generator yields, so a pull-based consumer can hand those on before more are read. Stopping
 * early (return) closes the file.
 */
export async function* scanRecordFile(path: string, sink: RecordSink, options: ReadFileOptions = {}): AsyncGenerator<void, ReadFileResult, void> {
  let handle: FileHandle;
  try {
    // Non-blocking open: a FIFO put where an event file was would otherwise block until a writer
    // appears. No effect on regular files; absent (0) on Windows, which has no FIFOs in the tree.
    handle = await open(fsPath(path), constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return { ok: false, error: ioMessage(error) };
  }
  let pending: Promise<{ bytesRead: number }> | null = null;
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, error: 'not a regular file' };
    const size = info.size;
    const start = Math.min(options.start ?? 0, size);
    const state = newScanState(size, start);
    const chunk = Math.max(64, options.chunkSize ?? DEFAULT_CHUNK);
    const rest = size - start;
    // A file that fits one chunk is read straight into the window; larger ones read ahead into `spare`.
    let buffer: Uint8Array = new Uint8Array(Math.min(chunk, Math.max(rest, 1)));
    const spare = rest > chunk ? new Uint8Array(chunk) : buffer;
    let filled = 0; // bytes of buffer holding file data from `base`
    let base = start; // absolute offset of buffer[0]
    let position = start; // next absolute offset to read from the file
    const readNext = () =>
      spare === buffer ? handle.read(buffer, filled, size - position, position) : handle.read(spare, 0, Math.min(spare.length, size - position), position);
    if (position < size) pending = readNext();
    for (;;) {
      if (pending) {
        const { bytesRead } = await pending;
        pending = null;
        // Shrunk after stat: treat what we have as the whole file.
        if (bytesRead === 0) state.fileSize = position;
        if (spare !== buffer) {
          if (filled + bytesRead > buffer.length) buffer = grow(buffer, filled + bytesRead, size - base);
          buffer.set(spare.subarray(0, bytesRead), filled);
        }
        filled += bytesRead;
        position += bytesRead;
        if (bytesRead > 0 && position < state.fileSize) pending = readNext();
      }
      const eof = pending === null;
      const consumed = scanWindow(state, buffer, filled, base, eof, sink);
      // At EOF the scanner has reported whatever it could not consume.
      if (eof || state.finished) break;
      if (consumed > 0) {
        buffer.copyWithin(0, consumed, filled);
        filled -= consumed;
        base += consumed;
      }
      yield;
    }
    return { ok: true, size: state.fileSize, resumeAt: state.resumeAt, records: state.records, damaged: state.damaged, resync: resyncWork(state) };
  } catch (error) {
    return { ok: false, error: ioMessage(error) };
  } finally {
    // Never close under a read still in flight (the scanner may finish early, or the consumer stop).
    if (pending) await pending.catch(() => undefined);
    await handle.close();
  }
}

/** A window of at least `need` bytes: doubling, but never past what is left of the file. */
function grow(buffer: Uint8Array, need: number, left: number): Uint8Array {
  const next = new Uint8Array(Math.max(need, Math.min(buffer.length * 2, left)));
  next.set(buffer);
  return next;
}
