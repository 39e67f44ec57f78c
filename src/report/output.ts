import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

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

/** `-o FILE`, or stdout when no file (or `-`) is given. */
export function openOutput(file: string | undefined): TextOutput {
  if (!file || file === '-') return textOutput(process.stdout, false);
  return textOutput(createWriteStream(file), true);
}
