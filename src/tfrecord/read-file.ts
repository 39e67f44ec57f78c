import { open } from 'node:fs/promises';
import type { RecordDamage } from './damage.js';
import { newScanState, scanWindow, type RecordSink } from './scan.js';

export interface ReadFileOptions {
  /** Absolute byte offset to start at (watch mode resumes where the previous read stopped). */
  start?: number;
  /** Bytes read per I/O call; memory stays at about this size plus the largest record. */
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
    }
  | { ok: false; error: string };

const DEFAULT_CHUNK = 4 << 20;

/**
 * Streams the records of one TFRecord file into `sink`. Memory is bounded by the chunk size and
 * the largest record, never by the file size. I/O failures (missing file, permission) come back as
 * `{ ok: false }`; damage inside the file goes to `sink.damage` and reading continues.
 */
export async function readRecordFile(path: string, sink: RecordSink, options: ReadFileOptions = {}): Promise<ReadFileResult> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return { ok: false, error: ioMessage(error) };
  }
  try {
    const size = (await handle.stat()).size;
    const start = Math.min(options.start ?? 0, size);
    const state = newScanState(size);
    const chunk = Math.max(64, options.chunkSize ?? DEFAULT_CHUNK);
    let buffer: Uint8Array = new Uint8Array(Math.min(chunk, Math.max(size - start, 1)));
    let filled = 0; // bytes of buffer holding file data from `base`
    let base = start; // absolute offset of buffer[0]
    let position = start; // next absolute offset to read from the file
    let resumeAt = start;
    const tracking: RecordSink = {
      record(bytes, s, e, offset) {
        resumeAt = offset + (e - s) + 16;
        sink.record(bytes, s, e, offset);
      },
      damage(d: RecordDamage) {
        if (d.kind === 'crc_error') resumeAt = d.offset + d.length;
        sink.damage(d);
      },
    };
    for (;;) {
      const atEof = position >= size;
      if (!atEof) {
        if (filled === buffer.length) buffer = grow(buffer, Math.min(buffer.length * 2, size - base));
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position);
        if (bytesRead === 0) {
          // Shrunk after stat: treat what we have as the whole file.
          state.fileSize = position;
        }
        filled += bytesRead;
        position += bytesRead;
      }
      const eof = position >= state.fileSize || atEof;
      const consumed = scanWindow(state, buffer, filled, base, eof, tracking);
      // At EOF the scanner has reported whatever it could not consume.
      if (eof || state.finished) break;
      if (consumed > 0) {
        buffer.copyWithin(0, consumed, filled);
        filled -= consumed;
        base += consumed;
      }
    }
    return { ok: true, size: state.fileSize, resumeAt, records: state.records, damaged: state.damaged };
  } catch (error) {
    return { ok: false, error: ioMessage(error) };
  } finally {
    await handle.close();
  }
}

function grow(buffer: Uint8Array, size: number): Uint8Array {
  const next = new Uint8Array(Math.max(size, buffer.length + 1));
  next.set(buffer);
  return next;
}

function ioMessage(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EISDIR') return 'is a directory';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  return e?.message ?? String(error);
}
